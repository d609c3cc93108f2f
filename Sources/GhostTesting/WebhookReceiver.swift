import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A local HTTP endpoint for tests of outgoing webhooks (or of a client against a host's answer): answers
/// every request 200 with the same body and keeps each one's headers (lowercased names) and body.
public final class WebhookReceiver: Sendable {
    /// One request received.
    public struct Request: Sendable {
        /// The request line, such as `POST /hook HTTP/1.1`.
        public var line: String
        /// Header values by lowercased name.
        public var headers: [String: String]
        /// The body.
        public var body: [UInt8]
    }

    /// The port it listens on (127.0.0.1).
    public let port: Int
    private let fd: Int32
    private let received = Mutex<[Request]>([])

    /// Starts listening on a free loopback port, serving on a thread of its own until the process ends.
    /// - Parameter body: What every answer carries (JSON); none by default.
    public init(answering body: String = "") throws {
        (fd, port) = try listenLoopback()
        let thread = Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                if let request = Self.read(client) { received.withLock { $0.append(request) } }
                let type = body.isEmpty ? "" : "Content-Type: application/json\r\n"
                let answer = Array("HTTP/1.1 200 OK\r\n\(type)Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8)
                _ = answer.withUnsafeBytes { send(client, $0.baseAddress, $0.count, 0) }
                close(client)
            }
        }
        thread.start()
    }

    /// The requests received so far.
    public var requests: [Request] { received.withLock { $0 } }

    private static func read(_ client: Int32) -> Request? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            bytes += buffer[0..<count]
            guard let end = headerEnd(bytes) else { continue }
            let head = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
            var headers: [String: String] = [:]
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            if bytes.count - (end + 4) >= length {
                return Request(line: head.first ?? "", headers: headers, body: Array(bytes[(end + 4)..<(end + 4 + length)]))
            }
        }
    }

    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}
