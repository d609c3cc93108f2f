import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal blocking HTTP/1.1 client for `ghost submit` and `ghost status`, which talk to a host on this
/// machine or the local network: one request per connection (`Connection: close`), plain HTTP.
struct HTTPClient {
    /// A response: status code, lower-cased header names, body bytes.
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Why a request got no response.
    struct ConnectionError: Error, CustomStringConvertible {
        var description: String
    }

    let host: String
    let port: Int
    /// How long to wait for the host to send (or take) the next bytes.
    var timeoutSeconds: Int = Self.defaultTimeoutSeconds

    /// The timeout of a request that does not ask the host to wait.
    static let defaultTimeoutSeconds = 30

    /// The timeout of a request asking the host to wait up to `wait` seconds for a receipt (`?wait=`): the
    /// whole wait plus a margin for the checkpoint and the network, never below the default.
    static func timeoutSeconds(forWait wait: Double?) -> Int {
        guard let wait, wait.isFinite, wait > 0 else { return defaultTimeoutSeconds }
        return max(defaultTimeoutSeconds, Int(min(wait, 86_400).rounded(.up)) + 15)
    }

    /// Parses `http://host:port` (a path after it is ignored).
    init?(url: String) {
        guard url.hasPrefix("http://") else { return nil }
        let authority = url.dropFirst(7).split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let parts = authority.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { return nil }
        self.host = String(parts[0])
        self.port = port
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Sends one request and reads the whole response.
    func request(method: String, path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws(ConnectionError) -> Response {
        let fd = try connect()
        defer { close(fd) }
        // A Host among `headers` replaces the usual one (tests send a foreign one to see it refused).
        let hostField = headers.contains { $0.0.lowercased() == "host" } ? "" : "Host: \(host):\(port)\r\n"
        var head = "\(method) \(path) HTTP/1.1\r\n\(hostField)Connection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        try write(fd, Array(head.utf8) + body)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ConnectionError(description: "reading the response from \(host):\(port): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            received.append(contentsOf: buffer[..<count])
        }
        return try Self.parse(received)
    }

    private func connect() throws(ConnectionError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw ConnectionError(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = 0
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let address = cursor {
            let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            if fd >= 0 {
                var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                #if canImport(Glibc)
                let connected = Glibc.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen)
                #else
                let connected = Darwin.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen)
                #endif
                if connected == 0 { return fd }
                lastError = errno
                close(fd)
            }
            cursor = address.pointee.ai_next
        }
        throw ConnectionError(description: "cannot connect to \(host):\(port): \(String(cString: strerror(lastError)))")
    }

    /// Sends in pieces, stopping early when the server has already answered (a 413 before the body is read).
    private func write(_ fd: Int32, _ bytes: [UInt8]) throws(ConnectionError) {
        var offset = 0
        while offset < bytes.count {
            var poller = pollfd(fd: fd, events: Int16(POLLIN | POLLOUT), revents: 0)
            guard poll(&poller, 1, Int32(timeoutSeconds * 1000)) > 0 else {
                throw ConnectionError(description: "sending to \(host):\(port): timed out")
            }
            if poller.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { return }
            let sent = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, min(raw.count - offset, 64 * 1024), Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw ConnectionError(description: "sending to \(host):\(port): \(String(cString: strerror(errno)))")
            }
            offset += sent
        }
    }

    static func parse(_ bytes: [UInt8]) throws(ConnectionError) -> Response {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.firstRange(of: separator) else { throw ConnectionError(description: "the response has no header end") }
        let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw ConnectionError(description: "not an HTTP response") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[end.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Response(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while let lineEnd = bytes[index...].firstRange(of: Array("\r\n".utf8)) {
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            guard start + size <= bytes.count else { break }
            result.append(contentsOf: bytes[start..<start + size])
            index = start + size + 2
            guard index < bytes.count else { break }
        }
        return result
    }
}
