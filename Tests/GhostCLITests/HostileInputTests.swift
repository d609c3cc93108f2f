import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// Slow clients and several transports at once against one real `ghost serve`.
@Suite struct HostileInputTests {
    @Test func slowClientsDoNotHoldUpOthers() async throws {
        let folder = try makeTempFolder("cli")
        try write("a\n", to: folder + "/src/App.tsx")
        let host = try await ServeProcess.start(folder: folder)
        // Sixty-four clients that send half a request and then one byte at a time, slowly.
        let slow = try (0..<64).map { _ in try SlowClient(port: host.port) }
        let trickle = runOnThread {
            for _ in 0..<10 {
                for client in slow { client.send("x") }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }

        let posted = try host.request("POST", "/api/patches", body: regexPatch(id: "p1"))
        #expect(posted.status == 202)
        #expect(await eventually { readText(folder + "/src/App.tsx") == "aa\n" })
        #expect(try host.request("GET", "/health").status == 200)
        await trickle.value
        for client in slow { client.close() }
        #expect(await host.stop() == 0)
    }

    @Test func httpInboxAndStdinFeedingOneWorkspaceAtOnceApplyEachPatchOnceInOneOrder() async throws {
        let folder = try makeTempFolder("cli")
        try write("start\n", to: folder + "/log.txt")
        let host = try await ServeProcess.start(folder: folder, arguments: ["--stdin"])
        @Sendable func patch(_ id: String) -> String {
            #"{"id":"\#(id)","role":"ui_patch","target_file":"log.txt","patch":{"pattern":"\\z","replacement":"\#(id)\n"}}"#
        }
        let port = host.port
        let perTransport = 40
        let senders = [
            runOnThread {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                for index in 0..<perTransport {
                    _ = try? client.request(method: "POST", path: "/api/patches", body: Array(patch("http-\(index)").utf8))
                }
            },
            runOnThread {
                for index in 0..<perTransport {
                    let temp = folder + "/patches/.inbox-\(index).part"
                    FileManager.default.createFile(atPath: temp, contents: Data(patch("inbox-\(index)").utf8))
                    rename(temp, folder + "/patches/inbox-\(index).json")
                }
            },
            runOnThread {
                for index in 0..<perTransport { host.writeStdin(patch("stdin-\(index)") + "\n") }
            },
        ]
        for sender in senders { await sender.value }
        let ids = ["http", "inbox", "stdin"].flatMap { source in (0..<perTransport).map { "\(source)-\($0)" } }
        let receipts = try await waitForReceipts(folder + "/patches", ids: Set(ids))
        await host.stop()

        // One writer: every line exactly once; HTTP and stdin deliveries, each sent after the previous was
        // taken, in the order they were sent.
        let lines = (readText(folder + "/log.txt") ?? "").split(separator: "\n").map(String.init)
        #expect(lines.first == "start")
        #expect(Set(lines.dropFirst()) == Set(ids))
        #expect(lines.count == ids.count + 1)
        for source in ["http", "stdin"] {
            #expect(lines.filter { $0.hasPrefix(source) } == (0..<perTransport).map { "\(source)-\($0)" })
        }
        for id in ids {
            #expect(receipts[id]?.count == 1, "\(id)")
            #expect(receipts[id]?.first?["status"] == "applied", "\(id)")
        }
        #expect(host.stdout.count == perTransport)
    }
}

/// A client that opens a request and sends it a byte at a time (slowloris).
final class SlowClient: Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = try connectLoopback(port: port)
        send("POST /api/patches HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: ")
    }

    func send(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
    }

    func close() { Glibc.close(fd) }

    /// True once the server has closed the connection (a read sees the end, or a reset).
    var isClosedByPeer: Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }
}

/// A flood of slow connections from the same address as every real client.
@Suite struct SlowClientFloodTests {
    @Test func aBodyThatDoesNotArriveInTimeClosesTheConnection() async throws {
        let host = try await ServeHTTPTests.start(config: "http: {body_timeout_s: 1}\nqueues: {default: {dir: patches, workspace: .}}\n")
        let folder = host.folder
        let client = try SlowClient(port: host.port)
        // Finish the head, announce 200 bytes of body, send 10, then trickle without ever finishing.
        client.send("1\r\nContent-Length: 200\r\n\r\n0123456789")
        var closed = false
        for _ in 0..<40 where !closed {
            client.send("x")
            try await Task.sleep(for: .milliseconds(100))
            closed = client.isClosedByPeer
        }
        #expect(closed)
        client.close()
        #expect(readText(folder + "/src/App.tsx") == "a\n")
        #expect(try host.request("GET", "/health").status == 200)
        #expect(await host.stop() == 0)
    }

    /// Whole heads sent at once, then bodies a byte at a time: such connections are not yet being served,
    /// so newcomers past the cap close them instead of being closed themselves.
    @Test func slowBodiesDoNotKeepOutHealthOrAPost() async throws {
        let host = try await ServeHTTPTests.start(
            config: """
                http: {max_connections: 32}
                queues: {default: {dir: patches, workspace: .}}
                """
        )
        let folder = host.folder
        var slow: [SlowClient] = []
        for _ in 0..<32 {
            let client = try SlowClient(port: host.port)
            client.send("1\r\nContent-Length: 100000\r\n\r\n{")
            slow.append(client)
        }
        let clients = slow
        await pause(0.5)
        for client in clients { client.send(" ") }
        var answered = 0
        for _ in 0..<10 where (try? host.request("GET", "/health"))?.status == 200 { answered += 1 }
        #expect(answered == 10)
        let posted = try host.request("POST", "/api/patches", body: regexPatch(id: "slow-bodies"))
        #expect(posted.status == 202)
        #expect(await eventually { readText(folder + "/src/App.tsx") == "aa\n" })
        #expect(clients.contains { $0.isClosedByPeer })
        for client in clients { client.close() }
        #expect(await host.stop() == 0)
    }

    @Test func aThousandSlowConnectionsDoNotKeepOutHealthOrAPost() async throws {
        let host = try await ServeHTTPTests.start(
            config: """
                http: {max_connections: 128, header_timeout_s: 2}
                queues: {default: {dir: patches, workspace: .}}
                """
        )
        let folder = host.folder
        // A thousand clients from 127.0.0.1, each sending part of a head and then a byte now and then.
        var slow: [SlowClient] = []
        for _ in 0..<1000 { slow.append(try SlowClient(port: host.port)) }
        let clients = slow
        let trickle = runOnThread {
            for _ in 0..<6 {
                for client in clients { client.send("x") }
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
        var answered = 0
        for _ in 0..<20 where (try? host.request("GET", "/health"))?.status == 200 { answered += 1 }
        #expect(answered == 20)
        let posted = try host.request("POST", "/api/patches", body: regexPatch(id: "flood"))
        #expect(posted.status == 202)
        #expect(await eventually { readText(folder + "/src/App.tsx") == "aa\n" })
        await trickle.value
        // The header deadline closed every slow client that survived the cap.
        #expect(await eventually(10) { clients.allSatisfy { $0.isClosedByPeer } })
        for client in clients { client.close() }
        #expect(try host.request("GET", "/health").status == 200)
        #expect(await host.stop() == 0)
    }
}
