import ApplierAPI
import Foundation

/// An exclusive lock on a queue's folder (`flock` on `.ghost/lock`), held by a host while it serves the queue
/// and by `ghost index rebuild`: two hosts on one spool would apply patches twice, and a rebuild under a
/// running host would race its writes. The kernel releases it when the process ends, however it ends.
final class SpoolLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock of the spool whose internal folder is `internalFolder`, or fails at once saying who has it.
    init(internalFolder: URL, purpose: String) throws(ApplyError) {
        let path = internalFolder.appendingPathComponent("lock", isDirectory: false).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw ApplyError.system("cannot open \(path)") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = String(decoding: (try? Self.contents(fd)) ?? [], as: UTF8.self)
            close(fd)
            throw ApplyError(
                .unavailable,
                "\(internalFolder.deletingLastPathComponent().path) is in use by another process (\(holder.isEmpty ? "unknown" : holder)); \(purpose)"
            )
        }
        let holder = Array("pid \(getpid())".utf8)
        if ftruncate(fd, 0) == 0 { _ = holder.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } }
        descriptor = fd
    }

    /// Lets another holder take the lock now (a queue restarted by a configuration reload reopens its
    /// folder while this object may still be referenced).
    func release() { flock(descriptor, LOCK_UN) }

    deinit { close(descriptor) }

    private static func contents(_ fd: Int32) throws(ApplyError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 64, 0) }
        return count > 0 ? Array(bytes[..<count]) : []
    }
}
