import ApplierAPI
import CZlib
import Foundation

/// Where a queue keeps the before-images of its applied patches: `.ghost/before/<key>-<attempt>.gz`, one
/// gzip file per attempt (`key`: the first 32 hex digits of the id's SHA-256, safe in any file name).
///
/// Crash order: the file is written (to a temp name, then renamed) before the patch's receipt is filed, and
/// made durable by the same checkpoint `syncfs` that makes the receipt durable, before the history records
/// the patch. A crash before that sync may keep the receipt and lose the image (or cut it short): a revert
/// then finds it missing or unreadable, or its hashes wrong, and refuses. Retention removes an attempt's file
/// when its receipt leaves `.completed/` or `.failed/`.
struct BeforeImageStore: Sendable {
    /// `.ghost/before/`.
    let folder: URL

    /// The store of the queue whose internal folder is `internalFolder` (`.ghost/`).
    init(internalFolder: URL) {
        folder = internalFolder.appendingPathComponent("before", isDirectory: true)
    }

    /// The file of attempt `attempt` of `id`.
    func url(id: String, attempt: Int) -> URL {
        folder.appendingPathComponent("\(Digest.sha256(Array(id.utf8)).prefix(32))-\(attempt).gz", isDirectory: false)
    }

    /// Writes the images of attempt `attempt` of `id` (not synced: see the crash order above). Compression
    /// level 1: this runs on the executor's path for every applied patch.
    func write(_ images: BeforeImages, id: String, attempt: Int) throws(ApplyError) {
        if mkdir(folder.path, 0o700) != 0 && errno != EEXIST { throw ApplyError.system("cannot create \(folder.path)") }
        let target = url(id: id, attempt: attempt)
        let temporary = folder.appendingPathComponent(".tmp-\(target.lastPathComponent)", isDirectory: false)
        guard let file = gzopen(temporary.path, "wb1") else { throw ApplyError.system("cannot create \(temporary.path)") }
        let bytes = images.encoded
        var offset = 0
        var failed = false
        while offset < bytes.count, !failed {
            let count = min(bytes.count - offset, 1 << 24)
            let written = bytes[offset..<offset + count].withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32(count)) }
            failed = written != Int32(count)
            offset += count
        }
        if gzclose(file) != Z_OK { failed = true }
        guard !failed, rename(temporary.path, target.path) == 0 else {
            unlink(temporary.path)
            throw ApplyError(.ioError, "cannot write the before-images of '\(id)' to \(target.path)")
        }
    }

    /// The images of attempt `attempt` of `id`; `nil` when there is no such file or it cannot be read whole.
    func read(id: String, attempt: Int) -> BeforeImages? {
        guard let file = gzopen(url(id: id, attempt: attempt).path, "rb") else { return nil }
        defer { gzclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let read = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            guard read >= 0 else { return nil }
            if read == 0 { break }
            bytes += chunk[..<Int(read)]
        }
        var errorCode: Int32 = 0
        _ = gzerror(file, &errorCode)
        guard errorCode == Z_OK || errorCode == Z_STREAM_END else { return nil }
        return BeforeImages(encoded: bytes)
    }

    /// Removes the images of attempt `attempt` of `id`, if any.
    func remove(id: String, attempt: Int) {
        unlink(url(id: id, attempt: attempt).path)
    }
}
