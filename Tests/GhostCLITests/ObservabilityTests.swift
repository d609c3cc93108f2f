import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// What an operator reads from a running host: JSON log lines, `/metrics` and `ghost status`'s exit status.
@Suite struct ObservabilityTests {
    @Test func jsonLogLinesCarryTimestampLevelMessageAndMetadata() async throws {
        let folder = try makeTempFolder("cli")
        try write("a\n", to: folder + "/src/App.tsx")
        let host = try await ServeProcess.start(folder: folder, arguments: ["--log-format", "json"])
        #expect(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "j1")).status == 200)
        kill(host.process.processIdentifier, SIGHUP)
        #expect(await eventually { host.stderr.contains { $0.contains("SIGHUP") } })
        #expect(await host.stop() == 0)
        let lines = host.stderr.filter { !$0.isEmpty }
        #expect(!lines.isEmpty)
        let objects = lines.compactMap { try? JSONParser.parse($0) }
        #expect(objects.count == lines.count, "every stderr line is JSON: \(lines)")
        for object in objects {
            for key in ["timestamp", "level", "message", "metadata"] { #expect(object[key] != nil, "\(key) in \(object.serialized)") }
        }
        let accepted = objects.first { $0["message"] == "patch accepted" }
        #expect(accepted?["metadata"]?["id"] == "j1")
        #expect(accepted?["metadata"]?["queue"] == "default")
        #expect(objects.contains { $0["level"] == "info" && $0["message"]?.stringValue?.hasPrefix("SIGHUP: ") == true })
    }

    @Test func everyMetricFamilyHasHelpAndTypeAndComponentsHaveAnUpGauge() async throws {
        let folder = try makeTempFolder("cli")
        try write("a\n", to: folder + "/src/App.tsx")
        let host = try await ServeProcess.start(folder: folder)
        #expect(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "m1")).status == 200)
        let text = try host.request("GET", "/metrics").text
        #expect(await host.stop() == 0)
        let lines = text.split(separator: "\n").map(String.init)
        let families = Set(lines.filter { !$0.hasPrefix("#") }.compactMap { $0.split(whereSeparator: { "{ ".contains($0) }).first.map(String.init) })
        #expect(families.contains("ghost_patches_applied_total"))
        let typed = lines.filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) }
        let helped = lines.filter { $0.hasPrefix("# HELP ") }.map { String($0.split(separator: " ")[2]) }
        #expect(Set(typed) == Set(helped))
        for family in families {
            let base = ["_bucket", "_sum", "_count"].reduce(family) { name, suffix in
                name.hasSuffix(suffix) && typed.contains(String(name.dropLast(suffix.count))) ? String(name.dropLast(suffix.count)) : name
            }
            #expect(typed.contains(base), "# TYPE for \(family)")
        }
        for component in ["http", "inbox:default", "executor:default"] {
            #expect(lines.contains { $0.hasPrefix("ghost_component_up{component=\"\(component)\"} 1") }, "\(component) in \(text)")
        }
    }

    @Test func statusExitsZeroForAHealthyHost() async throws {
        let folder = try makeTempFolder("cli")
        let host = try await ServeProcess.start(folder: folder)
        let result = try await GhostProcess.run(["status", "--url", "http://127.0.0.1:\(host.port)"], in: folder)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("healthy"))
        #expect(await host.stop() == 0)
    }

    /// A host that answers and reports a component down (here a stand-in answering what a host with a
    /// restarting inbox answers): exit 1, with the component named.
    @Test func statusExitsOneWhenTheHostIsDegraded() async throws {
        let folder = try makeTempFolder("cli")
        let host = try WebhookReceiver(
            answering: #"{"status": "degraded", "config": "ghost.yml", "default_queue": "default", "queues": {"default": {"depth": 3}}, "#
                + #""components": {"http": {"state": "up"}, "inbox:default": {"state": "degraded", "restarts": 4, "last_error": "inotify failed"}}}"#
        )
        let result = try await GhostProcess.run(["status", "--url", "http://127.0.0.1:\(host.port)"], in: folder)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("degraded"), "\(result.stdout)")
        #expect(result.stdout.contains("inbox:default: degraded"), "\(result.stdout)")
        #expect(host.requests.first?.line == "GET /api/status HTTP/1.1")
    }

    @Test func statusExitsThreeWhenNoHostAnswers() async throws {
        let folder = try makeTempFolder("cli")
        let result = try await GhostProcess.run(["status", "--url", "http://127.0.0.1:\(try freeLoopbackPort())"], in: folder)
        #expect(result.status == 3)
        #expect(result.stdout.hasPrefix("not running"))
    }

    @Test func statusExitsFourWhenTheHostRefusesTheToken() async throws {
        let folder = try makeTempFolder("cli")
        try write("http: {token_env: GHOST_TOKEN}\n", to: folder + "/ghost.yml")
        let host = try await ServeProcess.start(folder: folder, environment: ["GHOST_TOKEN": "the-right-token"])
        try write("http: {token: a-wrong-token}\n", to: folder + "/wrong.yml")
        let url = "http://127.0.0.1:\(host.port)"
        let refused = try await GhostProcess.run(["status", "--config", "wrong.yml", "--url", url], in: folder)
        #expect(refused.status == 4, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stdout.contains("refused the credentials"))
        try write("http: {token: the-right-token}\n", to: folder + "/right.yml")
        #expect(try await GhostProcess.run(["status", "--config", "right.yml", "--url", url], in: folder).status == 0)
        #expect(await host.stop() == 0)
    }
}
