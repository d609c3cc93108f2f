import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI
@testable import Host

@Suite struct ServeLifecycleTests {
    static func writePatch(_ id: String) -> String {
        #"{"id": "\#(id)", "role": "write", "target_file": "out/\#(id).txt", "patch": {"contents": "\#(id)"}}"#
    }

    @Test func sigtermDuringTrafficLosesNoAcknowledgedPatchAndARestartFinishesThem() async throws {
        let folder = try makeTempFolder("cli")
        let host = try await ServeProcess.start(folder: folder)
        let port = host.port
        let acknowledged = LineCollector.Box()
        let finishedWorkers = LineCollector.Box()
        let stopAfter = 60
        // Blocking clients on threads of their own, so the cooperative pool stays free for other tests.
        for worker in 0..<4 {
            Thread {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                for index in 0..<200 {
                    let id = "w\(worker)-\(index)"
                    guard let response = try? client.request(method: "POST", path: "/api/patches", body: Array(Self.writePatch(id).utf8)) else {
                        break
                    }
                    if response.status == 202 { acknowledged.append(id) } else if response.status == 503 { break }
                }
                finishedWorkers.append("\(worker)")
            }.start()
        }
        while acknowledged.count < stopAfter && finishedWorkers.count < 4 { await pause(0.005) }
        kill(host.process.processIdentifier, SIGTERM)
        while finishedWorkers.count < 4 { await pause(0.02) }
        #expect(await host.waitForExit() == 0)
        let acked = acknowledged.values
        #expect(acked.count >= stopAfter)

        let completed = files(in: folder + "/patches/.completed")
        let journaled = Set(try IntakeJournal.records(in: URL(fileURLWithPath: folder + "/patches/.ghost/journal")).map(\.patch.id))
        for id in acked {
            let done = completed.contains { $0.hasPrefix(id + "_") && $0.hasSuffix(".receipt.json") }
            #expect(done || journaled.contains(id), "\(id) was acknowledged, so it is applied or still in the journal")
        }
        // No half-written file anywhere in the workspace.
        #expect(files(in: folder + "/out").allSatisfy { $0.hasSuffix(".txt") && !$0.hasPrefix(".") })

        let again = try await ServeProcess.start(folder: folder)
        #expect(try await eventually(20) { json(try again.request("GET", "/api/status"))?["queues"]?["default"]?["depth"] == 0 })
        #expect(await eventually { files(in: folder + "/patches/.completed").count >= acked.count * 2 })
        for id in acked {
            #expect(readText(folder + "/out/\(id).txt") == id)
            let receipts = files(in: folder + "/patches/.completed").filter { $0.hasPrefix(id + "_") && $0.hasSuffix(".receipt.json") }
            #expect(receipts.count == 1, "\(id) applied exactly once")
        }
        #expect(files(in: folder + "/patches/.failed").isEmpty)
        // The ledger survives the restart: the same id again is a duplicate, other content a conflict.
        let first = try #require(acked.first)
        let duplicate = try again.request("POST", "/api/patches", body: Self.writePatch(first))
        #expect(json(duplicate)?["result"]?["status"] == "duplicate")
        #expect(json(duplicate)?["result"]?["receipt"]?["status"] == "applied")
        let conflict = try again.request(
            "POST",
            "/api/patches",
            body: Self.writePatch(first).replacingOccurrences(of: "\"contents\": \"", with: "\"contents\": \"x")
        )
        #expect(conflict.status == 409)
        #expect(await again.stop() == 0)
    }

    @Test func aBadConfigurationStopsTheHostWithTheKeyPath() async throws {
        try await expectServeRefuses(config: "queues:\n  MAIN:\n    dir: p\n    shel: true\n", mentions: ["queues.MAIN.shel", "unknown key"])
    }

    @Test func applyWithConfigUsesTheQueuesWorkspaceAndAliases() async throws {
        let folder = try makeTempFolder("cli")
        try write("a\n", to: folder + "/ws/src/App.tsx")
        try write("queues:\n  CYOPS: {dir: inbox, workspace: ws, aliases: [/Users/sawyer/gitSync]}\n", to: folder + "/ghost.yml")
        let patch = regexPatch(id: "c", file: "/Users/sawyer/gitSync/src/App.tsx")
        let result = try await GhostProcess.run(["apply", "--config", folder + "/ghost.yml"], stdin: patch)
        #expect(result.status == 0)
        #expect(readText(folder + "/ws/src/App.tsx") == "aa\n")
        let wrongQueue = try await GhostProcess.run(["apply", "--config", folder + "/ghost.yml", "--queue", "MAIN"], stdin: patch)
        #expect(wrongQueue.status == 2)
    }
}

extension LineCollector {
    /// A thread-safe list of strings shared by test workers.
    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func append(_ item: String) { lock.withLock { items.append(item) } }
        var count: Int { lock.withLock { items.count } }
        var values: [String] { lock.withLock { items } }
    }
}
