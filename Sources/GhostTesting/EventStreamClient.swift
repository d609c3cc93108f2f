import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a server-sent-events stream from `127.0.0.1:port` as it arrives, on a thread of its own.
public final class EventStreamClient: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var received = ""

    /// Opens `GET path` with `headers` and starts reading.
    public init(port: Int, path: String = "/api/events", headers: [(String, String)] = []) throws {
        fd = try connectLoopback(port: port)
        var head = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let bytes = Array((head + "\r\n").utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let thread = Thread { [self] in readLoop() }
        thread.start()
    }

    /// Everything read so far.
    public var text: String { lock.withLock { received } }

    /// True once the server has closed the stream.
    public private(set) var closed: Bool {
        get { lock.withLock { isClosed } }
        set { lock.withLock { isClosed = newValue } }
    }
    private var isClosed = false

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                let chunk = String(decoding: buffer[..<count], as: UTF8.self)
                lock.withLock { received += chunk }
            } else if count == 0 || errno != EINTR {
                closed = true
                return
            }
        }
    }

    /// Closes the connection.
    public func disconnect() { shutdown(fd, Int32(SHUT_RDWR)) }

    deinit { close(fd) }
}
