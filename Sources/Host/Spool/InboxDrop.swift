public import ApplierAPI
public import Foundation

/// Dropping a patch into an inbox the safe way: write a dot-file beside it, fsync, rename in, fsync the
/// folder. The inbox never sees a half-written file, and a crash leaves either nothing or the whole patch.
public enum InboxDrop {
    /// Drops `bytes` as `name` (a free variant of it, never replacing a file) into `folder`.
    /// - Returns: Where the patch was placed.
    public static func drop(_ bytes: [UInt8], named name: String, into folder: URL) throws(ApplyError) -> URL {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ApplyError(.ioError, "cannot create \(folder.path): \(error.localizedDescription)")
        }
        let temp = folder.appendingPathComponent(".\(name).\(getpid())-\(UInt32.random(in: 0...UInt32.max)).part", isDirectory: false)
        try Spool.writeNewFile(bytes, at: temp, label: name)
        defer { unlink(temp.path) }
        var attempt = 1
        while true {
            let destination = folder.appendingPathComponent(SpoolName.variant(SpoolName.normalized(name), attempt: attempt), isDirectory: false)
            attempt += 1
            // link(2) refuses to replace an existing file: a name already taken gets the next variant.
            guard link(temp.path, destination.path) == 0 else {
                if errno == EEXIST { continue }
                throw ApplyError.system("cannot place \(destination.path)")
            }
            try Spool.syncFolder(folder)
            return destination
        }
    }
}
