import Foundation

#if canImport(Glibc)
import Glibc
private let datagramSocket = Int32(SOCK_DGRAM.rawValue)
#elseif canImport(Darwin)
import Darwin
private let datagramSocket = SOCK_DGRAM
#endif

/// A unix datagram socket bound to a path, standing in for systemd's `$NOTIFY_SOCKET`: a test passes
/// ``path`` to the host and reads what it announces (`READY=1`, `STOPPING=1`).
public final class NotifySocket: @unchecked Sendable {
    /// The socket's path, for `NOTIFY_SOCKET`.
    public let path: String
    private let fd: Int32

    /// A socket bound to a fresh path under the temp folder (short: a unix socket path has ~100 bytes).
    public init() throws {
        path = "/tmp/ghost-notify-\(UUID().uuidString.prefix(8)).sock"
        fd = socket(AF_UNIX, datagramSocket, 0)
        guard fd >= 0 else { throw SetupError(message: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        guard bound else {
            close(fd)
            throw SetupError(message: "bind \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The next datagram as text, or `nil` when none arrives within `seconds`. Blocks: call it off the
    /// cooperative pool (``onThread(_:)``).
    public func receive(seconds: Double) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(seconds * 1000)) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count >= 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
    }

    deinit {
        close(fd)
        unlink(path)
    }
}
