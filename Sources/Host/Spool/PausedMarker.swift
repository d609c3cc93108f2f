import ApplierAPI
import Foundation

/// `.ghost/paused`: present while a queue is paused (`ghost pause`), so a pause outlives a restart. Created
/// and removed durably (the folder is fsynced), before the pause or resume is acknowledged.
struct PausedMarker: Sendable {
    /// The file.
    let url: URL

    /// Whether the queue is paused.
    var isSet: Bool { access(url.path, F_OK) == 0 }

    /// Pauses (`true`) or resumes (`false`) the queue on disk.
    func set(_ paused: Bool) throws(ApplyError) {
        if paused {
            let fd = open(url.path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw ApplyError.system("cannot create \(url.path)") }
            close(fd)
        } else {
            guard unlink(url.path) == 0 || errno == ENOENT else { throw ApplyError.system("cannot remove \(url.path)") }
        }
        try Spool.syncFolder(url.deletingLastPathComponent())
    }
}
