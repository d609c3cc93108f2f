import ApplierAPI
import Foundation
import GhostTesting
import Testing

@Suite struct ApplyCommandTests {
    @Test func appliesAFileAndPrintsOneJSONReceipt() async throws {
        let root = try makeTempFolder("cli")
        try Data("<Text>This text will be patched.</Text>\n".utf8).write(to: URL(fileURLWithPath: root + "/tmp_test_target.tsx"))
        let result = try await GhostProcess.run(["apply", "--workspace", root, fixturePath("v1-dummy-ui-patch.json")])
        #expect(result.status == 0)
        #expect(result.receipts.count == 1)
        #expect(result.receipts.first?["status"] == "applied")
        #expect(result.receipts.first?["source"] == "file")
        #expect(String(decoding: FileManager.default.contents(atPath: root + "/tmp_test_target.tsx")!, as: UTF8.self) == "<Text>✅ PATCHED</Text>\n")
    }

    @Test func readsNDJSONAndArraysFromStdinAndExitsOneWhenAnyFails() async throws {
        let root = try makeTempFolder("cli")
        let ndjson = """
            {"id": "a", "role": "write", "target_file": "a.txt", "patch": {"contents": "A"}}
            {"id": "b", "role": "ui_patch", "target_file": "a.txt", "patch": {"pattern": "zzz", "replacement": "q"}}
            not json at all
            """
        let result = try await GhostProcess.run(["apply", "--workspace", root], stdin: ndjson)
        #expect(result.status == 1)
        #expect(result.receipts.map { $0["status"] } == ["applied", "failed", "failed"])
        #expect(result.receipts.map { $0["reason"] } == [nil, "no_match", "invalid_json"])
        #expect(result.receipts.first?["source"] == "stdin")

        let array =
            #"[{"id": "c", "role": "write", "target_file": "c.txt", "patch": {"contents": "C"}}, {"id": "d", "role": "delete", "target_file": "zz"}]"#
        let second = try await GhostProcess.run(["apply", "--workspace", root, "-"], stdin: array)
        #expect(second.status == 0)
        #expect(second.receipts.map { $0["status"] } == ["applied", "unchanged"])
    }

    @Test func checkPrintsTheDiffAndWritesNothing() async throws {
        let root = try makeTempFolder("cli")
        let patch = #"{"id": "w", "role": "write", "target_file": "n/new.txt", "patch": {"contents": "hi\n"}}"#
        let result = try await GhostProcess.run(["apply", "--check", "--workspace", root], stdin: patch)
        #expect(result.status == 0)
        #expect(result.receipts.first?["diff"] == "--- /dev/null\n+++ b/n/new.txt\n@@ -0,0 +1,1 @@\n+hi\n")
        #expect(result.receipts.first?["check"] == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).isEmpty)
    }

    @Test func maxFileBytesSetsTheFileLimit() async throws {
        let root = try makeTempFolder("cli")
        try Data(String(repeating: "a", count: 100).utf8).write(to: URL(fileURLWithPath: root + "/a.txt"))
        let patch = #"{"id": "m", "role": "ui_patch", "target_file": "a.txt", "patch": {"pattern": "a", "replacement": "b"}}"#
        let refused = try await GhostProcess.run(["apply", "--max-file-bytes", "99", "--workspace", root], stdin: patch)
        #expect(refused.status == 1)
        #expect(refused.receipts.first?["reason"] == "limit_exceeded")
        #expect(String(decoding: FileManager.default.contents(atPath: root + "/a.txt")!, as: UTF8.self) == String(repeating: "a", count: 100))
        let applied = try await GhostProcess.run(["apply", "--max-file-bytes", "100", "--workspace", root], stdin: patch)
        #expect(applied.status == 0)
        #expect(String(decoding: FileManager.default.contents(atPath: root + "/a.txt")!, as: UTF8.self) == String(repeating: "b", count: 100))
    }

    @Test func textFormatIsForPeople() async throws {
        let root = try makeTempFolder("cli")
        let result = try await GhostProcess.run(
            ["apply", "--format", "text", "--workspace", root],
            stdin: #"{"id": "t", "role": "nope", "target_file": "x", "patch": {}}"#
        )
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("failed    t (nope) [unknown_role]: unknown role 'nope'"))
    }

    @Test(arguments: [
        (["apply", "--bogus"], "Unknown option"),
        (["apply", "/no/such/patch.json"], "cannot read /no/such/patch.json"),
        (["apply", "--workspace", "/no/such/folder"], "--workspace"),
        (["apply", "--format", "xml"], "format"),
    ])
    func usageErrorsExitTwoWithAMessageAndNoStackTrace(arguments: [String], fragment: String) async throws {
        let result = try await GhostProcess.run(arguments, stdin: "{}")
        #expect(result.status == 2)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test(arguments: ["", "   \n", "[]x", "{\"id\": \"x\"}", "[1, 2]", String(repeating: "[", count: 10_000)])
    func badInputGetsAFailedReceiptNeverACrash(input: String) async throws {
        let result = try await GhostProcess.run(["apply", "--workspace", try makeTempFolder("cli")], stdin: input)
        #expect(result.status == 1)
        #expect(!result.receipts.isEmpty)
        #expect(result.receipts.allSatisfy { $0["status"] == "failed" })
    }

    @Test func shellNeedsAllowShell() async throws {
        let root = try makeTempFolder("cli")
        let patch = #"{"id": "s", "role": "shell", "patch": "echo hi > out.txt"}"#
        let off = try await GhostProcess.run(["apply", "--workspace", root], stdin: patch)
        #expect(off.receipts.first?["reason"] == "shell_disabled")
        #expect(!FileManager.default.fileExists(atPath: root + "/out.txt"))
        let on = try await GhostProcess.run(["apply", "--allow-shell", "--workspace", root], stdin: patch)
        #expect(on.status == 0)
        #expect(FileManager.default.contents(atPath: root + "/out.txt") == Data("hi\n".utf8))
    }

    @Test func aliasMapsAbsolutePathsOntoTheWorkspace() async throws {
        let root = try makeTempFolder("cli")
        let result = try await GhostProcess.run(["apply", "--workspace", root, "--alias", "/tmp", fixturePath("v2-simple-mutations.json"), "--check"])
        #expect(result.status == 0)
        #expect(result.receipts.first?["files"]?.arrayValue?.first?["path"] == "simple-test.log")
    }

    @Test func rolesListsEveryBuiltInRoleWithAliases() async throws {
        let result = try await GhostProcess.run(["roles", "--json"])
        #expect(result.status == 0)
        let names = result.receipts.compactMap { $0["name"]?.stringValue }
        #expect(
            names == [
                "ui_patch", "search_replace", "unified_diff", "apply_patch", "json_patch", "json_merge_patch", "write", "delete", "chmod",
                "insertAfter", "insertBefore", "insertAt",
                "shell",
            ]
        )
        #expect(result.receipts.first?["aliases"] == ["regex"])
        let help = try await GhostProcess.run(["apply", "--help"])
        #expect(help.stdout.contains("--check"))
        #expect(help.stdout.contains("Exit status"))
    }
}
