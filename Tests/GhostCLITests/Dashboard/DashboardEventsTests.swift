import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// `GET /api/events` against the real `ghost serve`: what the stream sends, when, to whom, and that an
/// open stream does not hold up shutdown.
@Suite struct DashboardEventsTests {
    @Test func theStreamSendsAPatchWhenItIsQueuedAndWhenItFinishes() async throws {
        let host = try await DashboardTests.start()
        let stream = try EventStreamClient(port: host.port)
        #expect(await eventually { stream.text.contains("event: status") && stream.text.contains("event: patches") })
        #expect(stream.text.hasPrefix("HTTP/1.1 200"))
        #expect(stream.text.lowercased().contains("content-type: text/event-stream"))
        #expect(stream.text.contains(#""paused":false"#))

        #expect(try host.request("POST", "/api/queues/default/pause").status == 200)
        #expect(await eventually { stream.text.contains(#""paused":true"#) })
        #expect(try host.request("POST", "/api/patches", body: regexPatch(id: "live-1")).status == 202)
        #expect(
            await eventually { Self.events(stream.text, "patches").contains { $0.contains(#""id":"live-1""#) && $0.contains(#""status":"queued""#) } }
        )
        #expect(try host.request("POST", "/api/queues/default/resume").status == 200)
        #expect(
            await eventually {
                Self.events(stream.text, "patches").contains { $0.contains(#""id":"live-1""#) && $0.contains(#""status":"applied""#) }
            }
        )

        // An open stream ends with the host: shutdown is not held up by it.
        let started = Date()
        #expect(await host.stop() == 0)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(await eventually { stream.closed })
    }

    @Test func theStreamNeedsCredentialsOrASession() async throws {
        let host = try await DashboardTests.start("http: {token_env: DASH_TOKEN}")
        let refused = try EventStreamClient(port: host.port)
        #expect(await eventually { refused.text.contains("\r\n\r\n") })
        #expect(refused.text.hasPrefix("HTTP/1.1 401"))
        let cookie = try DashboardTests.signIn(host)
        let stream = try EventStreamClient(port: host.port, headers: [("Cookie", cookie)])
        #expect(await eventually { stream.text.contains("event: status") })
        // A page of another site cannot open it with the user's cookie.
        let crossSite = try EventStreamClient(port: host.port, headers: [("Cookie", cookie), ("Origin", "http://evil.example")])
        #expect(await eventually { crossSite.text.contains("\r\n\r\n") })
        #expect(crossSite.text.hasPrefix("HTTP/1.1 403"))
        stream.disconnect()
        #expect(await host.stop() == 0)
    }

    /// The `data:` lines of every event called `name`.
    static func events(_ text: String, _ name: String) -> [String] {
        text.components(separatedBy: "\n\n").compactMap { block in
            guard block.contains("event: \(name)\n") else { return nil }
            return block.components(separatedBy: "\n").first { $0.hasPrefix("data: ") }
        }
    }
}
