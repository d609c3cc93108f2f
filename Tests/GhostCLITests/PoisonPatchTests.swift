import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// A poison patch: one whose exec plugin kills the host (SIGKILL to its parent, as an abort or the OOM killer
/// would). Restarted like a supervisor would, the host must file it in `.failed/` as `crashed_host` after
/// exactly `crash_retries` (2) deaths instead of dying forever, and apply the patches around it once each.
@Suite(.serialized) struct PoisonPatchTests {
    static func appendLine(id: String, _ line: String) -> String {
        #"{"id": "\#(id)", "role": "ui_patch", "target_file": "log.txt", "patch": {"pattern": "\\z", "replacement": "\#(line)\n"}}"#
    }

    static let poison = #"{"id": "poison", "role": "kill_host", "target_file": "target.txt", "patch": {}}"#

    /// A folder with `ws/log.txt` and `ws/target.txt`, and a queue `main` with the test plugins as roles.
    static func setUp(shell: Bool = false) throws -> String {
        let folder = try makeTempFolder("cli")
        try write("start\n", to: folder + "/ws/log.txt")
        try write("untouched\n", to: folder + "/ws/target.txt")
        let plugins = ExecPluginTests.root + "/Fixtures/plugins"
        try write(
            """
            queues:
              main: {dir: inbox, workspace: ws, shell: \(shell)}
            roles:
              kill_host: {exec: [\(plugins)/kill-host.sh]}
              slow: {exec: [\(plugins)/slow.sh]}
            """,
            to: folder + "/ghost.yml"
        )
        return folder
    }

    /// The poison patch's receipt in `.failed/`, once there.
    static func poisonReceipt(_ folder: String) -> JSONValue? {
        let failed = folder + "/inbox/.failed"
        for name in files(in: failed) where name.hasSuffix(".receipt.json") {
            if let receipt = readText(failed + "/" + name).flatMap({ try? JSONParser.parse($0) }), receipt["id"] == "poison" { return receipt }
        }
        return nil
    }

    /// Restarts the host like a supervisor would until it stays up with the poison patch filed (at most
    /// `limit` times); returns it and how many times it died.
    static func restartUntilSettled(_ folder: String, limit: Int = 6) async throws -> (ServeProcess, deaths: Int) {
        var deaths = 0
        while true {
            let host = try ServeProcess.launch(folder: folder)
            _ = await eventually(30) { !host.process.isRunning || poisonReceipt(folder) != nil }
            if host.process.isRunning || deaths == limit { return (host, deaths) }
            #expect(host.process.terminationStatus == SIGKILL)
            deaths += 1
        }
    }

    @Test func aPatchThatKillsTheHostIsFiledCrashedHostAfterCrashRetriesDeaths() async throws {
        let folder = try Self.setUp()
        var host = try await ServeProcess.start(folder: folder)
        let before = try host.request("POST", "/api/patches?wait=20", body: Self.appendLine(id: "before", "line before"))
        #expect(json(before)?["result"]?["status"] == "applied")

        // Acknowledged (or cut off by the death: its journal record is written before the plugin starts).
        _ = try? host.request("POST", "/api/patches", body: Self.poison)
        #expect(await eventually(20) { !host.process.isRunning }, "the poison patch did not kill the host")
        #expect(host.process.terminationReason == .uncaughtSignal && host.process.terminationStatus == SIGKILL)
        // The next patch arrives through the inbox while the host is down.
        try write(Self.appendLine(id: "after", "line after"), to: folder + "/inbox/.after.part")
        #expect(rename(folder + "/inbox/.after.part", folder + "/inbox/after.json") == 0)

        // Restarted like a supervisor would: it dies once more (the patch applied alone), then files it.
        let (restarted, deaths) = try await Self.restartUntilSettled(folder)
        host = restarted
        #expect(1 + deaths == 2, "the host died \(1 + deaths) times")
        let receipt = try #require(Self.poisonReceipt(folder), "no crashed_host receipt; stderr: \(host.stderr.suffix(20))")
        #expect(receipt["status"] == "failed")
        #expect(receipt["reason"] == "crashed_host")
        #expect(receipt["message"]?.stringValue?.contains("died 2 times") == true)

        // The patches around it: applied once each, in order; the poison patch's target untouched.
        #expect(await eventually(20) { readText(folder + "/ws/log.txt") == "start\nline before\nline after\n" })
        #expect(readText(folder + "/ws/log.txt") == "start\nline before\nline after\n")
        #expect(readText(folder + "/ws/target.txt") == "untouched\n")
        // The receipt is filed a moment after the file is renamed into place.
        #expect(await eventually(20) { files(in: folder + "/inbox/.completed").filter { $0.hasSuffix(".receipt.json") }.count == 2 })
        #expect(files(in: folder + "/inbox/.failed").filter { $0.hasSuffix(".receipt.json") }.count == 1)

        // It stays up and says what happened: /health, the metrics and the log.
        #expect(await host.awaitListening())
        let health = try host.request("GET", "/health")
        #expect(health.status == 200)
        let note = json(health)?["components"]?["executor:main"]?["note"]?.stringValue
        #expect(note?.contains("crashed_host") == true && note?.contains("poison") == true, "\(String(decoding: health.body, as: UTF8.self))")
        let metrics = String(decoding: try host.request("GET", "/metrics").body, as: UTF8.self)
        #expect(metrics.contains(#"reason="crashed_host""#), "\(metrics)")
        #expect(metrics.contains("ghost_host_deaths_total"))
        #expect(host.stderr.contains { $0.contains("crashed_host") && $0.contains("poison") })
        #expect(await host.stop() == 0)

        // A clean stop is recorded: the next start counts no death and files nothing more.
        let state = try JSONParser.parse(readText(folder + "/inbox/.ghost/crashes.json") ?? "")
        #expect(state["running"] == false)
        host = try await ServeProcess.start(folder: folder)
        #expect(!host.stderr.contains { $0.contains("did not shut down cleanly") })
        #expect(await host.stop() == 0)
        #expect(files(in: folder + "/inbox/.failed").filter { $0.hasSuffix(".receipt.json") }.count == 1)
    }

    @Test func aDeathInABatchAppliesItsPatchesOneByOneUntilTheCulpritIsFiled() async throws {
        let folder = try Self.setUp(shell: true)
        let host = try await ServeProcess.start(folder: folder)
        // While a slow shell step holds the executor, three patches queue up: they are applied as one batch.
        #expect(try host.request("POST", "/api/patches", body: #"{"id": "slow", "role": "shell", "patch": "sleep 3"}"#).status == 202)
        #expect(try host.request("POST", "/api/patches", body: Self.appendLine(id: "a", "line a")).status == 202)
        #expect(try host.request("POST", "/api/patches", body: Self.poison).status == 202)
        #expect(try host.request("POST", "/api/patches", body: Self.appendLine(id: "b", "line b")).status == 202)
        #expect(await eventually(20) { !host.process.isRunning }, "the poison patch did not kill the host")

        // The batch's death names no culprit: its patches are applied one by one, the poison one twice more.
        let (restarted, deaths) = try await Self.restartUntilSettled(folder)
        #expect(1 + deaths == 3, "the host died \(1 + deaths) times")
        #expect(Self.poisonReceipt(folder)?["reason"] == "crashed_host")
        #expect(await eventually(20) { readText(folder + "/ws/log.txt") == "start\nline a\nline b\n" })
        #expect(readText(folder + "/ws/log.txt") == "start\nline a\nline b\n")
        #expect(await eventually(20) { files(in: folder + "/inbox/.completed").filter { $0.hasSuffix(".receipt.json") }.count == 3 })
        #expect(await restarted.awaitListening())
        #expect(try restarted.request("GET", "/health").status == 200)
        #expect(await restarted.stop() == 0)
    }

    @Test func normalOperationWritesNoMarkerAndACleanStopCountsNoDeath() async throws {
        let folder = try Self.setUp()
        let host = try await ServeProcess.start(folder: folder)
        let state = folder + "/inbox/.ghost/crashes.json"
        let saved = try FileManager.default.attributesOfItem(atPath: state)[.modificationDate] as? Date
        for index in 0..<20 {
            let response = try host.request("POST", "/api/patches?wait=20", body: Self.appendLine(id: "n\(index)", "line \(index)"))
            #expect(json(response)?["result"]?["status"] == "applied")
        }
        // Nothing per patch: the marker does not even exist, and the state file was written once, at start.
        #expect(!FileManager.default.fileExists(atPath: folder + "/inbox/.ghost/applying"))
        #expect(try FileManager.default.attributesOfItem(atPath: state)[.modificationDate] as? Date == saved)

        // Stopped while a patch is in hand: it is finished, and the next start counts no death.
        #expect(try host.request("POST", "/api/patches", body: #"{"id": "slow", "role": "slow", "patch": {}}"#).status == 202)
        #expect(try await eventually(10) { json(try host.request("GET", "/api/status"))?["queues"]?["main"]?["in_hand"] == "slow" })
        #expect(await host.stop() == 0)
        #expect(readText(folder + "/ws/slow.txt") == "done\n")
        #expect(try JSONParser.parse(readText(state) ?? "")["running"] == false)
        let again = try await ServeProcess.start(folder: folder)
        #expect(!again.stderr.contains { $0.contains("did not shut down cleanly") || $0.contains("died while applying") })
        #expect(await again.stop() == 0)
    }

    @Test func aStopWhileTheSuspectsAreSettledFinishesThePatchInHandAndTheRestWaitsForTheNextStart() async throws {
        let folder = try Self.setUp()
        let host = try await ServeProcess.start(folder: folder)
        for id in ["s1", "s2", "s3"] {
            #expect(try host.request("POST", "/api/patches", body: #"{"id": "\#(id)", "role": "slow", "patch": {}}"#).status == 202)
        }
        // Killed with all three unfinished: each is a suspect, applied alone (a second each) before the host listens.
        await pause(0.3)
        await host.crash()
        let restarted = try ServeProcess.launch(folder: folder)
        await pause(0.3)
        let asked = Date()
        kill(restarted.process.processIdentifier, SIGTERM)
        #expect(await restarted.waitForExit() == 0)
        #expect(Date().timeIntervalSince(asked) < 2.5, "the stop waited for every suspect")
        #expect(readText(folder + "/ws/slow.txt") == "done\n")

        let again = try await ServeProcess.start(folder: folder)
        #expect(await eventually(20) { files(in: folder + "/inbox/.completed").filter { $0.hasSuffix(".receipt.json") }.count == 3 })
        #expect(files(in: folder + "/inbox/.failed").isEmpty)
        #expect(await again.stop() == 0)
    }
}
