import Foundation

#if canImport(Glibc)
import Glibc
// Close-on-exec from the start: a flag set after socket() leaves a moment in which a child another test
// spawns inherits it.
private let streamSocket = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
#elseif canImport(Darwin)
import Darwin
private let streamSocket = SOCK_STREAM
#endif

/// A TCP socket that the children tests start do not inherit: one would hold a port after the test let
/// go of it.
private func loopbackSocket() -> Int32 {
    let fd = socket(AF_INET, streamSocket, 0)
    if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return fd
}

/// A loopback port free right now (bound to port 0 and released).
public func freeLoopbackPort() throws -> Int {
    let fd = loopbackSocket()
    defer { close(fd) }
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw SetupError(message: "no free port: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A TCP socket listening on a free `127.0.0.1` port, holding the port until the caller closes it.
public func listenLoopback() throws -> (fd: Int32, port: Int) {
    let fd = loopbackSocket()
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let listening = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard listening else {
        close(fd)
        throw SetupError(message: "cannot listen on a loopback port: \(String(cString: strerror(errno)))")
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// A blocking TCP socket connected to `127.0.0.1:port`; the caller closes it.
public func connectLoopback(port: Int) throws -> Int32 {
    let fd = loopbackSocket()
    guard fd >= 0 else { throw SetupError(message: "socket: \(String(cString: strerror(errno)))") }
    var address = loopbackAddress(port: port)
    let connected = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
    guard connected else {
        let reason = String(cString: strerror(errno))
        close(fd)
        throw SetupError(message: "cannot connect to 127.0.0.1:\(port): \(reason)")
    }
    return fd
}

private func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return address
}

/// An HTTP/1.1 client for tests against a server on `127.0.0.1`: one request per connection, the bytes sent
/// exactly as given (so a test can declare a length, or send a head the server must refuse).
///
/// The socket work runs on a thread of its own: a server in the same process needs the cooperative pool.
public struct LoopbackHTTPClient: Sendable {
    /// A response: status code, lower-cased header names, body bytes.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// The port on `127.0.0.1`.
    public let port: Int

    /// A client of `127.0.0.1:port`.
    public init(port: Int) { self.port = port }

    /// Sends `method path` with `Host`, `Connection: close`, `Content-Length` (unless `headers` has one) and
    /// `headers`, then `body`; reads the whole response.
    public func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) async throws -> Response {
        let declaresLength = headers.contains { $0.0.lowercased() == "content-length" || $0.0.lowercased() == "transfer-encoding" }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if !declaresLength { head += "Content-Length: \(body.count)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        return try await exchange(Array(head.utf8) + body)
    }

    /// Sends `bytes` as they are and reads the response until the server closes the connection.
    public func exchange(_ bytes: [UInt8]) async throws -> Response {
        let port = self.port
        return try await onThread { try Self.parse(Self.exchangeBlocking(bytes, port: port)) }
    }

    private static func exchangeBlocking(_ bytes: [UInt8], port: Int) throws -> [UInt8] {
        let fd = try connectLoopback(port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                // The server answered and closed before taking everything (a refused body): read its answer.
                if errno == EPIPE || errno == ECONNRESET { break }
                throw SetupError(message: "sending: \(String(cString: strerror(errno)))")
            }
            offset += sent
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received.append(contentsOf: buffer[..<count])
            } else if count == 0 || (errno == ECONNRESET && !received.isEmpty) {
                return received
            } else if errno != EINTR {
                throw SetupError(message: "reading the response: \(String(cString: strerror(errno)))")
            }
        }
    }

    private static func parse(_ bytes: [UInt8]) throws -> Response {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = bytes.firstRange(of: separator) else {
            throw SetupError(message: "no complete response head in \(bytes.count) bytes: \(String(decoding: bytes, as: UTF8.self))")
        }
        let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusWords = lines[0].split(separator: " ")
        guard statusWords.count >= 2, let status = Int(statusWords[1]) else { throw SetupError(message: "not an HTTP status line: \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[end.upperBound...])
        if let length = headers["content-length"].flatMap({ Int($0) }), length <= body.count { body = Array(body.prefix(length)) }
        return Response(status: status, headers: headers, body: body)
    }
}
