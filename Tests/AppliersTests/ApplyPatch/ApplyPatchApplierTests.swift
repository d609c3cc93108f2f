import ApplierAPI
import Appliers
import Foundation
import Testing

/// Runs `apply_patch` on text files.
func runCodexPatch(_ patch: JSONValue, files: [String: String]) async throws -> FileSetRun {
    try await runApplier(ApplyPatchApplier(), patch, files: files.mapValues { FileContent(bytes: Array($0.utf8)) }, target: nil)
}

/// The error an `apply_patch` run failed with.
func codexPatchError(_ patch: String, files: [String: String]) async -> ApplyError? {
    await applyError { _ = try await runCodexPatch(.string(patch), files: files) }
}

@Suite struct ApplyPatchApplierTests {
    static let handlers = """
        class A:
            def run(self):
                x = 1
                return x

        class B:
            def run(self):
                x = 1
                return x

        """

    @Test func anAnchorNarrowsTheSearchAndTheReceiptSaysWhere() async throws {
        let patch = """
            *** Begin Patch
            *** Update File: app.py
            @@ class B:
                 def run(self):
            -        x = 1
            +        x = 2
                     return x
            *** End Patch
            """
        let run = try await runCodexPatch(.string(patch), files: ["app.py": Self.handlers])
        #expect(
            run.text("app.py")
                == Self.handlers.replacingOccurrences(
                    of: "class B:\n    def run(self):\n        x = 1",
                    with: "class B:\n    def run(self):\n        x = 2"
                )
        )
        #expect(run.details["hunks"] == [["path": "app.py", "match": "exact", "line": 7, "lines": 3]])
    }

    @Test func withoutTheAnchorTheSameChunkIsAmbiguous() async throws {
        let patch = "*** Begin Patch\n*** Update File: app.py\n@@\n     def run(self):\n-        x = 1\n+        x = 2\n*** End Patch\n"
        let error = await codexPatchError(patch, files: ["app.py": Self.handlers])
        #expect(error?.reason == .ambiguousMatch)
        #expect(error?.message.contains("lines 2, 7") == true, "\(error?.message ?? "")")
    }

    @Test func anAmbiguousAnchorIsRefused() async throws {
        let patch = "*** Begin Patch\n*** Update File: app.py\n@@ def run(self):\n-        x = 1\n+        x = 2\n*** End Patch"
        let error = await codexPatchError(patch, files: ["app.py": Self.handlers])
        #expect(error?.reason == .ambiguousMatch)
        #expect(error?.message.contains("@@ line") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("lines 2, 7") == true, "\(error?.message ?? "")")
    }

    @Test func stackedAnchorsNarrowStepByStep() async throws {
        let patch = "*** Begin Patch\n*** Update File: app.py\n@@ class B:\n@@ def run(self):\n-        x = 1\n+        x = 3\n*** End Patch"
        let run = try await runCodexPatch(.string(patch), files: ["app.py": Self.handlers])
        #expect(run.text("app.py")?.hasSuffix("class B:\n    def run(self):\n        x = 3\n        return x\n") == true)
        #expect(run.hunk(0)?["line"] == 8)
    }

    @Test func addDeleteAndMove() async throws {
        let patch = """
            *** Begin Patch
            *** Add File: docs/new.md
            +# New
            +
            +text
            *** Delete File: gone.txt
            *** Update File: src/old.py
            *** Move to: src/new.py
            @@
             keep
            -drop
            +add
            *** End Patch
            """
        let run = try await runCodexPatch(.string(patch), files: ["gone.txt": "bye\n", "src/old.py": "keep\ndrop\n"])
        #expect(run.text("docs/new.md") == "# New\n\ntext\n")
        #expect(run.files["gone.txt"] == nil)
        #expect(run.files["src/old.py"] == nil)
        #expect(run.text("src/new.py") == "keep\nadd\n")
        #expect(
            run.details["files"] == [
                ["path": "docs/new.md", "action": "created"], ["path": "gone.txt", "action": "deleted"],
                ["path": "src/old.py", "action": "moved", "to": "src/new.py"],
            ]
        )
        let exists = await codexPatchError(patch, files: ["gone.txt": "bye\n", "src/old.py": "keep\ndrop\n", "docs/new.md": "old\n"])
        #expect(exists?.reason == .fileExists)
        let moveOnto = await codexPatchError(patch, files: ["gone.txt": "bye\n", "src/old.py": "keep\ndrop\n", "src/new.py": "x\n"])
        #expect(moveOnto?.reason == .fileExists)
        let missing = await codexPatchError(patch, files: ["src/old.py": "keep\ndrop\n"])
        #expect(missing?.reason == .fileNotFound)
    }

    /// The second file fails: the operation throws before returning the first file's change.
    @Test func allFilesOrNone() async throws {
        let patch = "*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+A\n*** Update File: b.txt\n@@\n-b\n+B\n*** End Patch"
        let error = await codexPatchError(patch, files: ["a.txt": "a\n", "b.txt": "c\n"])
        #expect(error?.reason == .noMatch)
        #expect(error?.message.contains("chunk 1 of b.txt") == true, "\(error?.message ?? "")")
    }

    @Test func theLadderCoversSeekSequence() async throws {
        let trailing = "*** Begin Patch\n*** Update File: f.txt\n@@\n a\n-b\n+B\n*** End Patch"
        let run = try await runCodexPatch(.string(trailing), files: ["f.txt": "a \nb\t\n"])
        #expect(run.text("f.txt") == "a \nB\n")
        #expect(run.hunk(0)?["match"] == "trailing_whitespace")
        let indented = "*** Begin Patch\n*** Update File: f.txt\n@@ def f():\n-return 1\n+return 2\n*** End Patch"
        let shifted = try await runCodexPatch(.string(indented), files: ["f.txt": "  def f():\n      return 1\n"])
        #expect(shifted.text("f.txt") == "  def f():\n      return 2\n")
        #expect(shifted.hunk(0)?["indent"] == "+6")
        let quotes = "*** Begin Patch\n*** Update File: f.txt\n@@\n-it's - done\n+it is done\n*** End Patch"
        let folded = try await runCodexPatch(.string(quotes), files: ["f.txt": "it\u{2019}s\u{205F}\u{2013} done\n"])
        #expect(folded.text("f.txt") == "it is done\n")
        #expect(folded.hunk(0)?["match"] == "unicode_punctuation")
    }

    /// Codex compares lines trimmed, each on its own: so does the last rung, for this role only. Added lines
    /// move as the old line above them does.
    @Test func inconsistentIndentationFitsOnTheLooseRung() async throws {
        let file = "def f():\n    if x:\n        a = 1\n    return a\n"
        let patch =
            "*** Begin Patch\n*** Update File: f.py\n@@\n   if x:\n-        a = 1\n+        a = 2\n+        b = 3\n     return a\n*** End Patch"
        let run = try await runCodexPatch(.string(patch), files: ["f.py": file])
        #expect(run.text("f.py") == "def f():\n    if x:\n        a = 2\n        b = 3\n    return a\n")
        #expect(run.hunk(0)?["match"] == "loose_indentation")
        let diff = "--- a/f.py\n+++ b/f.py\n@@ -2,3 +2,4 @@\n   if x:\n-        a = 1\n+        a = 2\n+        b = 3\n     return a\n"
        #expect(await diffError(diff, files: ["f.py": file])?.reason == .noMatch)
    }

    @Test func endOfFileAnchorsTheChunkAtTheEnd() async throws {
        let patch = "*** Begin Patch\n*** Update File: f.txt\n@@\n x\n-y\n+z\n*** End of File\n*** End Patch"
        let run = try await runCodexPatch(.string(patch), files: ["f.txt": "x\ny\nx\ny\n"])
        #expect(run.text("f.txt") == "x\ny\nx\nz\n")
        #expect(run.hunk(0)?["line"] == 3)
        // The same lines a hundred times and more above the end: the end is still found (places are
        // counted up to a limit, and the ones above the end are never counted).
        let long = String(repeating: "x\ny\n", count: 150)
        let far = try await runCodexPatch(.string(patch), files: ["f.txt": long])
        #expect(far.text("f.txt") == String(long.dropLast(2)) + "z\n")
        #expect(far.hunk(0)?["line"] == 299)
    }

    @Test func aChunkThatOnlyAddsIsAppended() async throws {
        let patch = "*** Begin Patch\n*** Update File: f.txt\n@@\n+tail\n*** End Patch"
        #expect(try await runCodexPatch(.string(patch), files: ["f.txt": "head"]).text("f.txt") == "head\ntail\n")
        let anchored = "*** Begin Patch\n*** Update File: f.txt\n@@ head\n+tail\n*** End Patch"
        #expect(await codexPatchError(anchored, files: ["f.txt": "head\n"])?.reason == .invalidPatch)
    }

    @Test func aTrailingBlankContextLineTheFileLacksIsSetAside() async throws {
        let patch = "*** Begin Patch\n*** Update File: f.txt\n@@\n a\n-b\n+c\n\n*** End Patch"
        #expect(try await runCodexPatch(.string(patch), files: ["f.txt": "a\nb\n"]).text("f.txt") == "a\nc\n")
    }

    @Test func aCRLFFileStaysCRLFAndItsLastLineKeepsItsState() async throws {
        let patch = "*** Begin Patch\n*** Update File: f.txt\n@@\n one\n+two\n three\n*** End Patch"
        #expect(try await runCodexPatch(.string(patch), files: ["f.txt": "one\r\nthree"]).text("f.txt") == "one\r\ntwo\r\nthree")
    }

    @Test func payloadForms() async throws {
        let text = "*** Begin Patch\n*** Update File: f.txt\n@@\n-a\n+b\n*** End Patch\n"
        #expect(try await runCodexPatch(["patch": .string(text)], files: ["f.txt": "a\n"]).text("f.txt") == "b\n")
        #expect(try await runCodexPatch(["input": .string(text)], files: ["f.txt": "a\n"]).text("f.txt") == "b\n")
        #expect(try await runCodexPatch(.string("<<'EOF'\n" + text + "EOF\n"), files: ["f.txt": "a\n"]).text("f.txt") == "b\n")
        #expect(await applyError { _ = try await runCodexPatch(["diff": "x"], files: [:]) }?.reason == .invalidPatch)
    }

    @Test func malformedEnvelopesNameTheLine() async throws {
        let cases: [(String, String)] = [
            ("*** Update File: f.txt\n@@\n-a\n+b\n*** End Patch", "line 1"),
            ("*** Begin Patch\n*** Update File: f.txt\n@@\n-a\n+b", "line 5"),
            ("*** Begin Patch\n*** Update File: f.txt\n@@\n-a\nb\n*** End Patch", "line 5"),
            ("*** Begin Patch\n*** Update File: f.txt\n*** End Patch", "line 2"),
            ("*** Begin Patch\n*** Frobnicate File: f.txt\n*** End Patch", "line 2"),
        ]
        for (patch, line) in cases {
            let error = await codexPatchError(patch, files: ["f.txt": "a\n"])
            #expect(error?.reason == .invalidPatch, "\(patch)")
            #expect(error?.message.contains(line) == true, "\(error?.message ?? "applied")")
        }
    }

    @Test func noMatchCarriesTheHint() async throws {
        let patch = "*** Begin Patch\n*** Update File: f.txt\n@@\n keep\n-old\n+new\n*** End Patch"
        let error = await codexPatchError(patch, files: ["f.txt": "keep\nnew\n"])
        #expect(error?.reason == .noMatch)
        #expect(error?.message.contains("already present at line 1") == true, "\(error?.message ?? "")")
    }
}
