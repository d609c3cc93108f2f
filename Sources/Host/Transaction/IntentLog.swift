import ApplierAPI
import Foundation

/// A queue's intent log (`.ghost/intent.log`): records of what the patch in hand is about to do to the
/// workspace, each durable (`fdatasync`) before the workspace changes.
///
/// Only the executor appends, one patch at a time. Once a patch's receipt is filed its records are
/// worthless, and the log is emptied; a record that survives a crash for a patch that has a receipt is
/// ignored at recovery.
struct IntentLog: Sendable {
    /// The log file.
    let url: URL

    /// Creates the (empty) log if it is missing, durably, so appends never need a folder sync.
    func prepare() throws(ApplyError) {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw ApplyError.system("cannot create the intent log \(url.path)") }
        close(fd)
        try Spool.syncFolder(url.deletingLastPathComponent())
    }

    /// Appends a record and returns once it is on disk.
    /// - Throws: ``Reason/ioError``; after a failed `fdatasync` the record is not trusted, and the patch fails.
    func append(_ record: IntentRecord) throws(ApplyError) {
        let fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw ApplyError.system("cannot open the intent log \(url.path)") }
        defer { close(fd) }
        try Workspace.writeAll(fd, record.encoded(), name: "the intent log")
        guard fdatasync(fd) == 0 else { throw ApplyError.system("fdatasync of the intent log failed") }
    }

    /// Every intact record, oldest first.
    func records() throws(ApplyError) -> [IntentRecord] {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT { return [] }
            throw ApplyError.system("cannot open the intent log \(url.path)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ApplyError.system("cannot inspect the intent log") }
        return IntentRecord.decodeAll(try Workspace.readAll(fd, expected: Int(info.st_size), name: "the intent log"))
    }

    /// Empties the log once every patch in it is filed. Not synced: records that come back after a crash
    /// belong to filed patches and are ignored.
    func reset() {
        var info = stat()
        if stat(url.path, &info) == 0 && info.st_size > 0 { truncate(url.path, 0) }
    }
}
