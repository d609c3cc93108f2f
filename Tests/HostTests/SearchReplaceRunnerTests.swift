import ApplierAPI
import Appliers
import GhostTesting
import Testing

@testable import Host

/// `search_replace` through the real runner: files read and written by the host, receipts, and the
/// transaction keeping all edits of a patch or none.
@Suite struct SearchReplaceRunnerTests {
    static let aiderText = """
        src/util.py
        ```python
        <<<<<<< SEARCH
        def helper(x):
        =======
        def double(x):
        >>>>>>> REPLACE
        ```

        src/main.py
        ```python
        <<<<<<< SEARCH
        print(helper(2))
        =======
        print(double(2))
        >>>>>>> REPLACE
        ```
        """

    func patch(_ id: String, _ payload: JSONValue) -> String {
        let envelope: JSONValue = ["id": .string(id), "role": "search_replace", "patch": payload]
        return envelope.serialized
    }

    /// Two spellings of one file through an alias (as the seed's users wrote absolute paths) are one file:
    /// the second edit sees the first, and both land (neither change overwrites the other).
    @Test func twoSpellingsThroughAnAliasAreOneFile() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/src/a.ts", "one\ntwo\n")
        let payload: JSONValue = [
            "edits": [
                ["path": "src/a.ts", "search": "one\n", "replace": "ONE\n"],
                ["path": "/Users/dev/project/src/a.ts", "search": "ONE\ntwo\n", "replace": "ONE\nTWO\n"],
            ]
        ]
        let receipt = try await runPatch(patch("alias", payload), in: root, aliases: ["/Users/dev/project"])
        #expect(receipt.status == .applied, "\(receipt.message ?? "")")
        #expect(readText(root + "/src/a.ts") == "ONE\nTWO\n")
        #expect(receipt.files.map(\.path) == ["src/a.ts"])
    }

    @Test func anAiderPatchEditsTwoFilesWithReceiptDetails() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/src/util.py", "def helper(x):\r\n    return x * 2\r\n")
        try writeFile(root + "/src/main.py", "print(helper(2))")
        let receipt = try await runPatch(patch("two-files", .string(Self.aiderText)), in: root)
        #expect(receipt.status == .applied, "\(receipt.message ?? "")")
        #expect(readText(root + "/src/util.py") == "def double(x):\r\n    return x * 2\r\n")
        #expect(readText(root + "/src/main.py") == "print(double(2))")
        #expect(receipt.files.map(\.path) == ["src/util.py", "src/main.py"])
        #expect(
            receipt.operations.first?["edits"] == [
                ["path": "src/util.py", "match": "exact", "line": 1, "lines": 1],
                ["path": "src/main.py", "match": "exact", "line": 1, "lines": 1],
            ]
        )
    }

    /// The second file's edit is ambiguous: the first file, already edited in memory, is not written either.
    @Test func anAmbiguousEditLeavesEveryFileUntouched() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/src/util.py", "def helper(x):\n")
        try writeFile(root + "/src/main.py", "print(helper(2))\nprint(helper(2))\n")
        let receipt = try await runPatch(patch("ambiguous", .string(Self.aiderText)), in: root)
        #expect(receipt.status == .failed)
        #expect(receipt.reason == .ambiguousMatch)
        #expect(receipt.message?.contains("lines 1, 2") == true)
        #expect(readText(root + "/src/util.py") == "def helper(x):\n")
        #expect(receipt.files.allSatisfy { !$0.changed })
    }

    @Test func aMalformedPayloadIsRefusedBeforeItIsQueued() throws {
        let bad = try Patch.parse(json: Array(patch("bad", "a.txt\n<<<<<<< SEARCH\nx\n").utf8))
        let refusal = #expect(throws: ApplyError.self) { try PatchRunner(registry: .builtIn()).validate(bad) }
        #expect(refusal?.reason == .invalidPatch)
        #expect(refusal?.message.contains("line") == true, "\(refusal?.message ?? "")")
        let good = try Patch.parse(json: Array(patch("good", ["edits": [["path": "a.txt", "search": "", "replace": "x\n"]]]).utf8))
        try PatchRunner(registry: .builtIn()).validate(good)
    }

    @Test func aV2MutationCanUseTheRole() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/a.txt", "one\ntwo\n")
        let receipt = try await runPatch(
            #"{"blockId": "v2", "mutations": [{"op": "search_replace", "path": "a.txt", "search": "two\n", "replace": "2\n"}]}"#,
            in: root
        )
        #expect(receipt.status == .applied, "\(receipt.message ?? "")")
        #expect(readText(root + "/a.txt") == "one\n2\n")
    }
}
