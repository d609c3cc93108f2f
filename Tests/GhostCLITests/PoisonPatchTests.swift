import ApplierAPI
import Foundation
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

    @Test func aPatchThatKillsTheHostIsFiledCrashedHostAfterCrashRetriesDeaths() async throws {
        let folder = try makeTempFolder()
        try write("start\n", to: folder + "/ws/log.txt")
        try write("untouched\n", to: folder + "/ws/target.txt")
        try write(
            """
            queues:
              main: {dir: inbox, workspace: ws}
            roles:
              kill_host: {exec: [\(ExecPluginTests.root)/Fixtures/plugins/kill-host.sh]}
            """,
            to: folder + "/ghost.yml"
        )
        var host = try await ServeProcess.start(folder: folder)
        let before = try host.request("POST", "/api/patches?wait=20", body: Self.appendLine(id: "before", "line before"))
        #expect(json(before)?["result"]?["status"] == "applied")

        // Acknowledged (or cut off by the death: its journal record is written before the plugin starts).
        _ = try? host.request("POST", "/api/patches", body: Self.poison)
        #expect(await eventually(20) { !host.process.isRunning }, "the poison patch did not kill the host")
        #expect(host.process.terminationReason == .uncaughtSignal && host.process.terminationStatus == SIGKILL)
        var deaths = 1
        // The next patch arrives through the inbox while the host is down.
        try write(Self.appendLine(id: "after", "line after"), to: folder + "/inbox/.after.part")
        #expect(rename(folder + "/inbox/.after.part", folder + "/inbox/after.json") == 0)

        // Restarted like a supervisor would, until it stays up with the poison patch filed.
        let failed = folder + "/inbox/.failed"
        func poisonReceipt() -> JSONValue? {
            for name in files(in: failed) where name.hasSuffix(".receipt.json") {
                if let receipt = text(failed + "/" + name).flatMap({ try? JSONParser.parse($0) }), receipt["id"] == "poison" { return receipt }
            }
            return nil
        }
        while deaths <= 5 {
            host = try ServeProcess.launch(folder: folder)
            _ = await eventually(30) { !host.process.isRunning || poisonReceipt() != nil }
            guard !host.process.isRunning else { break }
            #expect(host.process.terminationStatus == SIGKILL)
            deaths += 1
        }
        #expect(deaths == 2, "the host died \(deaths) times")
        let receipt = try #require(poisonReceipt(), "no crashed_host receipt; stderr: \(host.stderr.suffix(20))")
        #expect(receipt["status"] == "failed")
        #expect(receipt["reason"] == "crashed_host")
        #expect(receipt["message"]?.stringValue?.contains("died 2 times") == true)

        // The patches around it: applied once each, in order; the poison patch's target untouched.
        #expect(await eventually(20) { text(folder + "/ws/log.txt") == "start\nline before\nline after\n" })
        #expect(text(folder + "/ws/log.txt") == "start\nline before\nline after\n")
        #expect(text(folder + "/ws/target.txt") == "untouched\n")
        let completed = files(in: folder + "/inbox/.completed").filter { $0.hasSuffix(".receipt.json") }
        #expect(completed.count == 2, "\(completed)")
        #expect(files(in: failed).filter { $0.hasSuffix(".receipt.json") }.count == 1)

        // It stays up and says what happened: /health, the metrics and the log.
        #expect(await host.awaitListening())
        let health = try host.request("GET", "/health")
        #expect(health.status == 200)
        let note = json(health)?["components"]?["executor:main"]?["note"]?.stringValue
        #expect(note?.contains("crashed_host") == true && note?.contains("poison") == true, "\(String(decoding: health.body, as: UTF8.self))")
        let metrics = String(decoding: try host.request("GET", "/metrics").body, as: UTF8.self)
        #expect(metrics.contains(#"reason="crashed_host""#), "\(metrics)")
        #expect(host.stderr.contains { $0.contains("crashed_host") && $0.contains("poison") })
        let status = try host.request("GET", "/api/patches/poison")
        #expect(json(status)?["reason"] == "crashed_host" || json(status)?["receipt"]?["reason"] == "crashed_host")
        #expect(await host.stop() == 0)

        // A clean stop is recorded: the next start counts no death and files nothing more.
        let state = try JSONParser.parse(text(folder + "/inbox/.ghost/crashes.json") ?? "")
        #expect(state["running"] == false)
        host = try await ServeProcess.start(folder: folder)
        #expect(!host.stderr.contains { $0.contains("did not shut down cleanly") })
        #expect(await host.stop() == 0)
        #expect(files(in: failed).filter { $0.hasSuffix(".receipt.json") }.count == 1)
    }
}
