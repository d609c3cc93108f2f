import ApplierAPI
import Appliers
import GhostTesting
import Testing

@testable import Host

/// `json_patch` and `json_merge_patch` through the real runner: refused at intake when malformed, files
/// written with receipts, nothing written when an operation fails, v2 mutations.
@Suite struct JSONPatchRunnerTests {
    static let file = "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"price\": 1.50\n}\n"

    func patch(_ id: String, role: String = "json_patch", _ payload: String) -> String {
        #"{"id": "\#(id)", "role": "\#(role)", "target_file": "config/app.json", "patch": \#(payload)}"#
    }

    @Test func aMalformedOperationIsRefusedBeforeItIsQueued() throws {
        let bad = try Patch.parse(json: Array(patch("bad", #"[{"op": "test", "path": "/a", "value": 1}, {"op": "add", "path": "/b"}]"#).utf8))
        let refusal = #expect(throws: ApplyError.self) { try PatchRunner(registry: .builtIn()).validate(bad) }
        #expect(refusal?.reason == .invalidPatch)
        #expect(refusal?.message.contains("operation 1: 'add' needs 'value'") == true, "\(refusal?.message ?? "")")
        let badMerge = try Patch.parse(json: Array(patch("bad-merge", role: "json_merge_patch", "[1]").utf8))
        #expect(throws: ApplyError.self) { try PatchRunner(registry: .builtIn()).validate(badMerge) }
        let good = try Patch.parse(json: Array(patch("good", #"[{"op": "add", "path": "/b", "value": 1}]"#).utf8))
        try PatchRunner(registry: .builtIn()).validate(good)
    }

    @Test func aGoodPatchWritesTheFileWithAReceipt() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/config/app.json", Self.file)
        let payload =
            #"[{"op": "test", "path": "/name", "value": "app"}, {"op": "replace", "path": "/version", "value": "1.1.0"}, {"op": "add", "path": "/private", "value": true}]"#
        let receipt = try await runPatch(patch("bump", payload), in: root)
        #expect(receipt.status == .applied, "\(receipt.message ?? "")")
        #expect(
            readText(root + "/config/app.json") == "{\n  \"name\": \"app\",\n  \"version\": \"1.1.0\",\n  \"price\": 1.50,\n  \"private\": true\n}\n"
        )
        #expect(receipt.operations.first?["operations"] == 3)
        #expect(receipt.files.map(\.path) == ["config/app.json"])
        #expect(receipt.diff.contains("+  \"version\": \"1.1.0\","))

        let again = try await runPatch(patch("bump-again", #"{"operations": [{"op": "replace", "path": "/version", "value": "1.1.0"}]}"#), in: root)
        #expect(again.status == .unchanged, "\(again.message ?? "")")
    }

    @Test func aFailingOperationWritesNothing() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/config/app.json", Self.file)
        let payload = #"[{"op": "replace", "path": "/version", "value": "2.0.0"}, {"op": "test", "path": "/price", "value": 2}]"#
        let receipt = try await runPatch(patch("guarded", payload), in: root)
        #expect(receipt.status == .failed)
        #expect(receipt.reason == .noMatch)
        #expect(receipt.message?.contains("operation 1 (test /price): test failed: the value is 1.50, not 2") == true, "\(receipt.message ?? "")")
        #expect(readText(root + "/config/app.json") == Self.file)
    }

    @Test func mergePatchesAndV2Mutations() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/config/app.json", Self.file)
        let merged = try await runPatch(patch("merge", role: "json_merge_patch", #"{"price": null, "name": "ghost"}"#), in: root)
        #expect(merged.status == .applied, "\(merged.message ?? "")")
        #expect(merged.operations.first?["paths"] == 2)
        #expect(readText(root + "/config/app.json") == "{\n  \"name\": \"ghost\",\n  \"version\": \"1.0.0\"\n}\n")
        let block = try await runPatch(
            #"""
            {"blockId": "v2", "mutations": [
              {"op": "json_patch", "path": "config/app.json", "operations": [{"op": "remove", "path": "/version"}]},
              {"op": "json_merge_patch", "path": "config/app.json", "merge": {"tags": ["a"]}}]}
            """#,
            in: root
        )
        #expect(block.status == .applied, "\(block.message ?? "")")
        #expect(readText(root + "/config/app.json") == "{\n  \"name\": \"ghost\",\n  \"tags\": [\n    \"a\"\n  ]\n}\n")
    }
}
