import ApplierAPI
import Appliers
import Foundation
import GhostTesting
import Testing

@testable import Host

/// `unified_diff` and `apply_patch` through the real runner: files created, deleted, moved and chmodded by
/// the host, a failing file leaving every file untouched, and a malformed text refused before it is queued.
@Suite struct DiffRolesRunnerTests {
    func patch(_ id: String, role: String, _ payload: JSONValue) -> String {
        let envelope: JSONValue = ["id": .string(id), "role": .string(role), "patch": payload]
        return envelope.serialized
    }

    @Test func aDiffCreatesDeletesAndChmodsOnDisk() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/a.txt", "one\ntwo\n")
        try writeFile(root + "/gone.txt", "bye\n")
        let diff = """
            diff --git a/a.txt b/a.txt
            old mode 100644
            new mode 100755
            --- a/a.txt
            +++ b/a.txt
            @@ -1,2 +1,2 @@
             one
            -two
            +2
            diff --git a/gone.txt b/gone.txt
            deleted file mode 100644
            --- a/gone.txt
            +++ /dev/null
            @@ -1 +0,0 @@
            -bye
            diff --git a/sub/new.txt b/sub/new.txt
            new file mode 100644
            --- /dev/null
            +++ b/sub/new.txt
            @@ -0,0 +1 @@
            +fresh

            """
        let receipt = try await runPatch(patch("diff", role: "unified_diff", .string(diff)), in: root)
        #expect(receipt.status == .applied, "\(receipt.message ?? "")")
        #expect(readText(root + "/a.txt") == "one\n2\n")
        #expect(mode(root + "/a.txt") == 0o755)
        #expect(!FileManager.default.fileExists(atPath: root + "/gone.txt"))
        #expect(readText(root + "/sub/new.txt") == "fresh\n")
        #expect(receipt.operations.first?["hunks"]?.arrayValue?.count == 3)
    }

    @Test func aFailingFileLeavesEveryFileUntouched() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/a.txt", "a\n")
        try writeFile(root + "/b.txt", "c\n")
        let text = "*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+A\n*** Update File: b.txt\n@@\n-b\n+B\n*** End Patch"
        let receipt = try await runPatch(patch("codex", role: "apply_patch", .string(text)), in: root)
        #expect(receipt.status == .failed)
        #expect(receipt.reason == .noMatch)
        #expect(readText(root + "/a.txt") == "a\n")
        #expect(receipt.files.allSatisfy { !$0.changed })
    }

    @Test func aMovedFileLandsOnDisk() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/src/old.py", "keep\ndrop\n", mode: 0o755)
        let text = "*** Begin Patch\n*** Update File: src/old.py\n*** Move to: src/new.py\n@@\n keep\n-drop\n+add\n*** End Patch"
        let receipt = try await runPatch(patch("move", role: "apply_patch", ["patch": .string(text)]), in: root)
        #expect(receipt.status == .applied, "\(receipt.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: root + "/src/old.py"))
        #expect(readText(root + "/src/new.py") == "keep\nadd\n")
        #expect(mode(root + "/src/new.py") == 0o755)
    }

    @Test func malformedTextIsRefusedBeforeItIsQueued() throws {
        let truncated = "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n"
        let bad = try Patch.parse(json: Array(patch("bad-diff", role: "unified_diff", .string(truncated)).utf8))
        let refusal = #expect(throws: ApplyError.self) { try PatchRunner(registry: .builtIn()).validate(bad) }
        #expect(refusal?.reason == .invalidPatch)
        #expect(refusal?.message.contains("line 3") == true, "\(refusal?.message ?? "")")
        let unterminated = try Patch.parse(json: Array(patch("bad-codex", role: "apply_patch", "*** Begin Patch\n*** Update File: a.txt\n").utf8))
        let codex = #expect(throws: ApplyError.self) { try PatchRunner(registry: .builtIn()).validate(unterminated) }
        #expect(codex?.reason == .invalidPatch)
        let good = try Patch.parse(json: Array(patch("good", role: "unified_diff", "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n").utf8))
        try PatchRunner(registry: .builtIn()).validate(good)
    }
}
