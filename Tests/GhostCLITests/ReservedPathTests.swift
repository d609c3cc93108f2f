import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// `ghost serve` started in a project folder (workspace `.`, inbox `./patches`): a patch must not reach
/// the host's own files, which sit inside its workspace.
@Suite struct ReservedPathTests {
    private func writePatch(_ id: String, path: String, contents: String) -> String {
        let escaped = contents.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return #"{"id":"\#(id)","role":"write","target_file":"\#(path)","patch":{"contents":"\#(escaped)"}}"#
    }

    @Test func aPatchCannotRewriteTheConfigSpawnPatchesOrForgeReceipts() async throws {
        let host = try await ServeHTTPTests.startDefault()
        let folder = host.folder
        // A real patch first, so there is a receipt to forge.
        let first = try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "real"))
        #expect(json(first)?["result"]?["status"] == "applied")
        let receiptName = try #require(files(in: folder + "/patches/.completed").first { $0.hasSuffix(".receipt.json") })
        let receiptBefore = readText(folder + "/patches/.completed/" + receiptName)
        try FileManager.default.createSymbolicLink(atPath: folder + "/spool", withDestinationPath: folder + "/patches")

        let attacks = [
            ("config", "ghost.yml", "queues: {default: {dir: patches, workspace: ., shell: true}}\n"),
            ("spawn", "patches/x.json", regexPatch(id: "spawned")),
            ("forge", "patches/.completed/" + receiptName, #"{"id":"real","status":"failed"}"#),
            ("journal", "patches/.ghost/journal/1.log", "garbage"),
            ("via-link", "spool/y.json", regexPatch(id: "spawned2")),
            ("absolute", folder + "/patches/z.json", regexPatch(id: "spawned3")),
            ("git", ".git/config", "[core]\n    fsmonitor = \"touch PWNED; echo\"\n"),
            ("hook", ".git/hooks/pre-commit", "#!/bin/sh\ntouch PWNED\n"),
        ]
        for (id, path, contents) in attacks {
            let response = try host.request("POST", "/api/patches?wait=10", body: writePatch(id, path: path, contents: contents))
            let result = json(response)?["result"]
            #expect(result?["status"] == "failed", "\(id)")
            #expect(result?["receipt"]?["reason"] == "path_reserved", "\(id)")
        }
        // Nor may a patch read a receipt.
        let read = regexPatch(id: "read", file: "patches/.completed/" + receiptName, pattern: "real", replacement: "x")
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: read))?["result"]?["receipt"]?["reason"] == "path_reserved")

        #expect(!FileManager.default.fileExists(atPath: folder + "/ghost.yml"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/.git"))
        #expect(readText(folder + "/patches/.completed/" + receiptName) == receiptBefore)
        #expect(files(in: folder + "/patches").filter { $0.hasSuffix(".json") }.isEmpty)
        try await Task.sleep(for: .milliseconds(300))
        #expect((try host.request("GET", "/api/patches/spawned")).status == 404)
        // The workspace itself still takes patches: the README's two commands keep working.
        let ok = try host.request("POST", "/api/patches?wait=10", body: writePatch("fine", path: "src/new.ts", contents: "ok\n"))
        #expect(json(ok)?["result"]?["status"] == "applied")
        #expect(readText(folder + "/src/new.ts") == "ok\n")
        #expect(await host.stop() == 0)
    }

    @Test func aShellStepCannotRunInTheSpoolNorAPluginScriptBeRewritten() async throws {
        let folder = try makeTempFolder("cli")
        try write("a\n", to: folder + "/src/App.tsx")
        try write("#!/bin/sh\ncat >/dev/null; echo '{\"files\":{}}'\n", to: folder + "/plugins/noop.sh")
        try write(
            """
            queues: {default: {dir: patches, workspace: ., shell: true}}
            roles: {noop: {exec: [sh, plugins/noop.sh]}}
            """,
            to: folder + "/ghost.yml"
        )
        let host = try await ServeProcess.start(folder: folder)
        let cwd = #"{"id":"cwd","role":"shell","patch":{"run":"touch PWNED","cwd":"patches/.completed"}}"#
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: cwd))?["result"]?["receipt"]?["reason"] == "path_reserved")
        let plugin = writePatch("plugin", path: "plugins/noop.sh", contents: "#!/bin/sh\ntouch PWNED\n")
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: plugin))?["result"]?["receipt"]?["reason"] == "path_reserved")
        #expect(!FileManager.default.fileExists(atPath: folder + "/patches/.completed/PWNED"))
        #expect(readText(folder + "/plugins/noop.sh")?.contains("PWNED") == false)
        #expect(await host.stop() == 0)
    }

    /// A plugin named by its program alone is never found in the workspace, even when the host's PATH has a
    /// folder inside it (direnv's `PATH_add bin`): a patch could have written that program.
    @Test func aPluginProgramIsNotFoundInTheWorkspace() async throws {
        let folder = try makeTempFolder("cli")
        try write("a\n", to: folder + "/src/App.tsx")
        try write("queues: {default: {dir: patches, workspace: .}}\nroles: {noop: {exec: [cat]}}\n", to: folder + "/ghost.yml")
        let path = folder + "/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let host = try await ServeProcess.start(folder: folder, environment: ["PATH": path])
        let script = ##"#!/bin/sh\ntouch PWNED\necho '{\"files\":{}}'\n"##
        let plant = #"{"id":"plant","role":"write","target_file":"bin/cat","patch":{"contents":""# + script + #"","mode":"0755"}}"#
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: plant))?["result"]?["status"] == "applied")
        let run = #"{"id":"run","role":"noop","target_file":"src/App.tsx","patch":{}}"#
        _ = try host.request("POST", "/api/patches?wait=10", body: run)
        #expect(!FileManager.default.fileExists(atPath: folder + "/PWNED"))
        #expect(await host.stop() == 0)
    }

    /// Interpreters load code from beside a plugin's script: a patch that writes there runs its own code the
    /// next time the role runs, with shell off (Python would import `plugins/json.py` for `import json`).
    @Test func aPatchCannotPlantCodeBesideAPluginScript() async throws {
        let folder = try makeTempFolder("cli")
        try write("a\n", to: folder + "/src/App.tsx")
        try write("#!/bin/sh\n. \"$(dirname \"$0\")/lib.sh\"\ncat >/dev/null; echo '{\"files\":{}}'\n", to: folder + "/plugins/noop.sh")
        try write(": nothing to see\n", to: folder + "/plugins/lib.sh")
        try write(
            """
            queues: {default: {dir: patches, workspace: .}}
            roles: {noop: {exec: [sh, plugins/noop.sh]}, merge: {exec: [python3, plugins/merge.py]}}
            """,
            to: folder + "/ghost.yml"
        )
        let host = try await ServeProcess.start(folder: folder)
        for (id, path) in [("lib", "plugins/lib.sh"), ("module", "plugins/json.py"), ("package", "plugins/json/__init__.py")] {
            let plant = writePatch(id, path: path, contents: "touch PWNED\n")
            #expect(json(try host.request("POST", "/api/patches?wait=10", body: plant))?["result"]?["receipt"]?["reason"] == "path_reserved", "\(id)")
        }
        let run = #"{"id":"run","role":"noop","target_file":"src/App.tsx","patch":{}}"#
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: run))?["result"]?["status"] == "unchanged")
        #expect(!FileManager.default.fileExists(atPath: folder + "/PWNED"))
        #expect(readText(folder + "/plugins/lib.sh") == ": nothing to see\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/plugins/json.py"))
        // The rest of the workspace still takes patches.
        let ok = try host.request("POST", "/api/patches?wait=10", body: writePatch("fine", path: "src/new.ts", contents: "ok\n"))
        #expect(json(ok)?["result"]?["status"] == "applied")
        #expect(await host.stop() == 0)
    }
}
