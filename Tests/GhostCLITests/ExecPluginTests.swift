import ApplierAPI
import Foundation
import GhostTesting
import Testing

@Suite struct ExecPluginTests {
    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// A folder with a workspace `ws/` and a ghost.yml whose queue uses it, with every test plugin as a role.
    static func setUp() throws -> String {
        let folder = try makeTempFolder("cli")
        try write("{\"name\": \"app\", \"legacy\": true}\n", to: folder + "/ws/config/app.json")
        let plugins = root + "/Fixtures/plugins"
        try write(
            """
            queues:
              main: {dir: inbox, workspace: ws}
            roles:
              json_merge: {exec: [python3, \(root)/Examples/exec-plugins/json_merge.py], timeout_s: 20}
              escape: {exec: [\(plugins)/escape.sh]}
              hang: {exec: [\(plugins)/hang.sh], timeout_s: 0.5}
              crash: {exec: [\(plugins)/crash.sh]}
              garbage: {exec: [\(plugins)/garbage.sh]}
              refuse: {exec: [\(plugins)/refuse.sh]}
            """,
            to: folder + "/ghost.yml"
        )
        return folder
    }

    static let merge = #"{"id": "m1", "role": "json_merge", "target_file": "config/app.json", "patch": {"merge": {"dark": true, "legacy": null}}}"#

    @Test func thePythonPluginAppliesThroughGhostApplyAndCheckWritesNothing() async throws {
        let folder = try Self.setUp()
        let check = try await GhostProcess.run(["apply", "--config", folder + "/ghost.yml", "--check"], stdin: Self.merge)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.receipts.first?["diff"]?.stringValue?.contains("+  \"dark\": true,") == true)
        #expect(readText(folder + "/ws/config/app.json") == "{\"name\": \"app\", \"legacy\": true}\n")

        let applied = try await GhostProcess.run(["apply", "--config", folder + "/ghost.yml"], stdin: Self.merge)
        #expect(applied.status == 0)
        #expect(applied.receipts.first?["status"] == "applied")
        #expect(readText(folder + "/ws/config/app.json") == "{\n  \"dark\": true,\n  \"name\": \"app\"\n}\n")

        let roles = try await GhostProcess.run(["roles", "--config", folder + "/ghost.yml"])
        #expect(roles.stdout.contains("json_merge"))
        #expect(roles.stdout.contains("[exec: python3]"))
    }

    @Test(
        arguments: [
            ("escape", "path_outside_workspace", "../escaped.txt"),
            ("hang", "timeout", "killed after"),
            ("crash", "plugin_error", "signal"),
            ("garbage", "plugin_error", "not JSON"),
            ("refuse", "license_missing", "no license text"),
        ]
    )
    func aMisbehavingPluginFailsItsPatchAndWritesNothing(role: String, reason: String, words: String) async throws {
        let folder = try Self.setUp()
        let patch = #"{"id": "x", "role": "\#(role)", "target_file": "config/app.json", "patch": {}}"#
        let result = try await GhostProcess.run(["apply", "--config", folder + "/ghost.yml"], stdin: patch)
        #expect(result.status == 1)
        let receipt = try #require(result.receipts.first)
        #expect(receipt["status"] == "failed")
        #expect(receipt["reason"]?.stringValue == reason)
        #expect(receipt["message"]?.stringValue?.contains(words) == true)
        #expect(readText(folder + "/ws/config/app.json") == "{\"name\": \"app\", \"legacy\": true}\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/escaped.txt"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/ws/inside.txt"))
    }

    @Test func thePluginServesPatchesThroughGhostServe() async throws {
        let folder = try Self.setUp()
        let host = try await ServeProcess.start(folder: folder)
        let response = try host.request("POST", "/api/patches?wait=20", body: Self.merge)
        #expect(json(response)?["result"]?["status"] == "applied")
        #expect(readText(folder + "/ws/config/app.json")?.contains("\"dark\": true") == true)
        #expect(await host.stop() == 0)
    }
}

@Suite struct QueueShellPolicyTests {
    @Test func aQueuesAllowListDecidesBeforeAnythingRuns() async throws {
        let folder = try makeTempFolder("cli")
        try write(
            """
            queues:
              main:
                dir: inbox
                workspace: ws
                shell: {allow: ["^echo [a-z]+$"], timeout_s: 5, env: {GREETING: hello}}
            """,
            to: folder + "/ghost.yml"
        )
        try write("a\n", to: folder + "/ws/a.txt")
        let host = try await ServeProcess.start(folder: folder)
        let allowed = try host.request("POST", "/api/patches?wait=20", body: #"{"id": "s1", "role": "shell", "patch": "echo ok"}"#)
        let receipt = json(allowed)?["result"]?["receipt"]
        #expect(receipt?["status"] == "applied", "\(receipt.map(\.serialized) ?? "no receipt")")
        #expect(receipt?["steps"]?.arrayValue?.first?["stdout"] == "ok\n")
        #expect(receipt?["steps"]?.arrayValue?.first?["exit_code"] == 0)

        let refused = try host.request(
            "POST",
            "/api/patches?wait=20",
            body:
                #"{"id": "s2", "role": "write", "target_file": "a.txt", "patch": {"contents": "b\n"}, "postMutationBuild": {"shell": ["rm -rf ."]}}"#
        )
        #expect(json(refused)?["result"]?["receipt"]?["reason"] == "shell_not_allowed")
        // Refused before anything ran or was written.
        #expect(readText(folder + "/ws/a.txt") == "a\n")
        #expect(await host.stop() == 0)
    }
}
