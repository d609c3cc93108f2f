import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// Real `ghost serve` hosts on one PostgreSQL (`$GHOST_TEST_DATABASE_URL`, see scripts/with-postgres.sh):
/// any host takes and answers for any queue, an owner that is down leaves its queue waiting (and says so),
/// a queue on shared storage is taken over and moved, and a patch is never applied twice.
@Suite(.serialized) struct ManyHostsServeTests {
    /// A fresh database on the test cluster.
    static func database() async throws -> String {
        guard let base = ProcessInfo.processInfo.environment["GHOST_TEST_DATABASE_URL"] else {
            throw SetupError(message: "$GHOST_TEST_DATABASE_URL is not set: run the tests as the README says (scripts/with-postgres.sh swift test)")
        }
        let name = "serve_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let created = try await GhostProcess.run([base, "-Xqc", "CREATE DATABASE \(name)"], program: "/usr/bin/psql")
        guard created.status == 0 else { throw SetupError(message: "psql: \(created.stderr)") }
        return base[..<base.range(of: "/", options: .backwards)!.lowerBound] + "/" + name
    }

    struct Fleet {
        let folder: String
        let url: String

        /// Writes `NODE.yml`: queue `local` on `ws-h1` (only h1 reaches it), queue `shared` on `shared`.
        func config(_ node: String, extra: String = "") throws -> String {
            let local = node == "h1" ? "\(folder)/ws-h1" : "\(folder)/unreached-\(node)"
            let text = """
                node: \(node)
                store: {postgres: {url_env: GHOST_DATABASE_URL, lease_s: 2, poll_ms: 200}}
                default_queue: local
                queues:
                  local: {dir: spool-\(node)/local, workspace: \(local), owner: h1}
                  shared: {dir: spool-\(node)/shared, workspace: \(folder)/shared, owner: h1}
                \(extra)
                """
            try write(text, to: "\(folder)/\(node).yml")
            return "\(folder)/\(node).yml"
        }

        func start(_ node: String, extra: String = "") async throws -> ServeProcess {
            try await ServeProcess.start(
                folder: folder,
                arguments: ["--config", try config(node, extra: extra)],
                environment: ["GHOST_DATABASE_URL": url]
            )
        }
    }

    func makeFleet() async throws -> Fleet {
        let folder = try makeTempFolder("fleet")
        for workspace in ["ws-h1", "shared"] {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(workspace)", withIntermediateDirectories: true)
            try write("END\n", to: "\(folder)/\(workspace)/log.txt")
        }
        return Fleet(folder: folder, url: try await Self.database())
    }

    func patch(_ id: String) -> String {
        #"{"id":"\#(id)","role":"ui_patch","target_file":"log.txt","patch":{"pattern":"END","replacement":"\#(id) END"}}"#
    }

    @Test func anyHostTakesAndAnswersForAQueueItsOwnerApplies() async throws {
        let fleet = try await makeFleet()
        let h1 = try await fleet.start("h1")
        let h2 = try await fleet.start("h2")
        #expect(await eventually(10) { (try? h2.request("GET", "/api/status")).flatMap(json)?["queues"]?["local"]?["owner"]?.stringValue == "h1" })
        let answer = try h2.request("POST", "/api/queues/local/patches?wait=10", body: patch("p1"))
        #expect(answer.status == 200)
        #expect(json(answer)?["result"]?["receipt"]?["status"]?.stringValue == "applied")
        #expect(readText("\(fleet.folder)/ws-h1/log.txt") == "p1 END\n")
        // The same id and content again is a duplicate on any host; other content is a conflict.
        let again = try h1.request("POST", "/api/queues/local/patches", body: patch("p1"))
        #expect(json(again)?["result"]?["status"]?.stringValue == "duplicate")
        let conflict = try h2.request("POST", "/api/queues/local/patches", body: patch("p1").replacingOccurrences(of: "p1 END", with: "x END"))
        #expect(conflict.status == 409)
        #expect(readText("\(fleet.folder)/ws-h1/log.txt") == "p1 END\n")
        // Either host finds the receipt; an inbox drop on h2 is applied on h1.
        #expect(json(try h1.request("GET", "/api/patches/p1"))?["status"]?.stringValue == "applied")
        try write(patch("p2"), to: "\(fleet.folder)/spool-h2/local/p2.json")
        #expect(await eventually(15) { readText("\(fleet.folder)/ws-h1/log.txt") == "p1 p2 END\n" })
        #expect(await eventually(5) { !FileManager.default.fileExists(atPath: "\(fleet.folder)/spool-h2/local/p2.json") })
        // h2, which does not reach the workspace, reverts p2: h1 applies revert-p2 from the recorded before-images.
        // (The file changes before the row is committed: the row is what the revert reads.)
        _ = try await h2.awaitStatus("p2", "applied")
        let revert = try h2.request("POST", "/api/patches/p2/revert")
        #expect(revert.status == 202)
        #expect(json(revert)?["result"]?["patch_id"]?.stringValue == "revert-p2")
        #expect(try await h2.awaitStatus("revert-p2", "applied")?["status"]?.stringValue == "applied")
        #expect(readText("\(fleet.folder)/ws-h1/log.txt") == "p1 END\n")
        let twice = try h2.request("POST", "/api/patches/p2/revert")
        #expect(twice.status == 409)
        #expect(json(twice)?["result"]?["error"]?["message"]?.stringValue?.contains("already reverted") == true)
        _ = await h1.stop()
        _ = await h2.stop()
    }

    @Test func anOwnerThatIsDownLeavesItsQueueWaitingAndASharedQueueIsTakenOverAndMoved() async throws {
        let fleet = try await makeFleet()
        var h1 = try await fleet.start("h1")
        let receiver = try WebhookReceiver()
        let secret = "whsec_" + Data("a secret of thirty-two bytes!!!!".utf8).base64EncodedString()
        let h2 = try await fleet.start(
            "h2",
            extra: "alerts: {webhook: {url: \"http://127.0.0.1:\(receiver.port)/hook\", secret: \"\(secret)\"}, interval_s: 0.2}"
        )
        // Both hosts have seen the shared workspace (h2 registers that it reaches it).
        #expect(
            await eventually(10) {
                (try? h2.request("POST", "/api/queues/shared/patches?wait=5", body: patch("s1"))).map { $0.status == 200 } ?? false
            }
        )
        #expect(readText("\(fleet.folder)/shared/log.txt") == "s1 END\n")
        await pause(2)
        await h1.crash()
        let queued = try h2.request("POST", "/api/queues/local/patches", body: patch("p1"))
        #expect(queued.status == 202)
        // Past the lease: the status says the local queue waits for h1, and h2 applies the shared queue.
        #expect(
            await eventually(10) {
                let status = (try? h2.request("GET", "/api/status")).flatMap(json)
                return status?["status"]?.stringValue == "degraded"
                    && status?["queues"]?["local"]?["waiting"]?.stringValue?.contains("h1 is down") == true
            }
        )
        // h2's alerts say so too.
        #expect(
            await eventually(10) {
                receiver.requests.flatMap { (try? JSONParser.parse($0.body))?["alerts"]?.arrayValue ?? [] }.contains {
                    $0["kind"]?.stringValue == "component_down" && $0["subject"]?.stringValue == "queue:local"
                }
            }
        )
        let taken = try h2.request("POST", "/api/queues/shared/patches?wait=10", body: patch("s2"))
        #expect(json(taken)?["result"]?["receipt"]?["status"]?.stringValue == "applied")
        #expect(readText("\(fleet.folder)/shared/log.txt") == "s1 s2 END\n")
        #expect(readText("\(fleet.folder)/ws-h1/log.txt") == "END\n")
        // h1 comes back: its own queue runs again; the shared one stays with h2 until moved.
        h1 = try await fleet.start("h1")
        #expect(await eventually(15) { readText("\(fleet.folder)/ws-h1/log.txt") == "p1 END\n" })
        let moved = try await GhostProcess.run(
            ["queue", "move", "shared", "--to", "h1", "--config", try fleet.config("h2")],
            environment: ["GHOST_DATABASE_URL": fleet.url]
        )
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(moved.stdout.contains("moved to h1"))
        let refused = try await GhostProcess.run(
            ["queue", "move", "local", "--to", "h2", "--config", try fleet.config("h2")],
            environment: ["GHOST_DATABASE_URL": fleet.url]
        )
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("does not reach"))
        #expect(
            await eventually(15) {
                (try? h2.request("POST", "/api/queues/shared/patches?wait=5", body: patch("s3"))).map { $0.status == 200 } ?? false
            }
        )
        #expect(readText("\(fleet.folder)/shared/log.txt") == "s1 s2 s3 END\n")
        let listing = json(try h2.request("GET", "/api/patches?queue=shared"))
        let appliedBy = listing?["patches"]?.arrayValue?.compactMap { $0["applied_by"]?.stringValue } ?? []
        #expect(appliedBy == ["h1", "h2", "h1"])
        _ = await h1.stop()
        _ = await h2.stop()
    }
}
