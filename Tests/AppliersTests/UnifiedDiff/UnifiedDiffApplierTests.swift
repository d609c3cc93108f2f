import ApplierAPI
import Appliers
import Foundation
import Testing

/// Runs `unified_diff` on text files (mode 0644 unless given as FileContent).
func runDiff(_ diff: String, files: [String: String], fuzz: Int? = nil, target: String? = nil) async throws -> FileSetRun {
    let payload: JSONValue = fuzz.map { ["diff": .string(diff), "fuzz": .number(Double($0))] } ?? .string(diff)
    return try await runApplier(UnifiedDiffApplier(), payload, files: files.mapValues { FileContent(bytes: Array($0.utf8)) }, target: target)
}

/// The error a `unified_diff` run failed with.
func diffError(_ diff: String, files: [String: String], fuzz: Int? = nil) async -> ApplyError? {
    await applyError { _ = try await runDiff(diff, files: files, fuzz: fuzz) }
}

/// Expects `diff` applied to `files` to leave `path` holding `text`.
func expectDiff(
    _ diff: String,
    on files: [String: String],
    target: String? = nil,
    leaves path: String = "f.txt",
    _ text: String,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    #expect(try await runDiff(diff, files: files, target: target).text(path) == text, sourceLocation: sourceLocation)
}

/// Expects `diff` to fail on `files` with `reason` and a message saying `text`.
func expectDiffFailure(
    _ diff: String,
    on files: [String: String],
    _ reason: Reason,
    saying text: String,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    let error = await diffError(diff, files: files)
    #expect(error?.reason == reason, sourceLocation: sourceLocation)
    #expect(error?.message.contains(text) == true, "\(error?.message ?? "applied")", sourceLocation: sourceLocation)
}

@Suite struct UnifiedDiffApplierTests {
    static let numbers = (1...10).map { "line \($0)\n" }.joined()

    static let twoFiles = """
        diff --git a/src/a.txt b/src/a.txt
        index 1111111..2222222 100644
        --- a/src/a.txt
        +++ b/src/a.txt
        @@ -2,3 +2,3 @@
         line 2
        -line 3
        +LINE 3
         line 4
        diff --git a/src/b.txt b/src/b.txt
        --- a/src/b.txt
        +++ b/src/b.txt
        @@ -1,2 +1,2 @@
        -alpha
        +ALPHA
         beta

        """

    @Test func aHunkAppliesWithItsReceiptDetails() async throws {
        let run = try await runDiff(Self.twoFiles, files: ["src/a.txt": Self.numbers, "src/b.txt": "alpha\nbeta\n"])
        #expect(run.text("src/a.txt") == Self.numbers.replacingOccurrences(of: "line 3\n", with: "LINE 3\n"))
        #expect(run.text("src/b.txt") == "ALPHA\nbeta\n")
        #expect(
            run.details["hunks"] == [
                ["path": "src/a.txt", "match": "exact", "line": 2, "lines": 3, "offset": 0],
                ["path": "src/b.txt", "match": "exact", "line": 1, "lines": 2, "offset": 0],
            ]
        )
        #expect(run.details["files"] == [["path": "src/a.txt", "action": "updated"], ["path": "src/b.txt", "action": "updated"]])
    }

    /// The second file's hunk fails: the operation throws, so the first file's change is never returned.
    @Test func aFailingSecondFileLeavesBothUntouched() async throws {
        await expectDiffFailure(
            Self.twoFiles,
            on: ["src/a.txt": Self.numbers, "src/b.txt": "gamma\nbeta\n"],
            .noMatch,
            saying: "hunk 1 of src/b.txt"
        )
    }

    @Test func ambiguousContextListsEveryCandidate() async throws {
        let diff = "--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n x\n-y\n+Y\n"
        await expectDiffFailure(diff, on: ["f.txt": "x\ny\nz\nx\ny\n"], .ambiguousMatch, saying: "lines 1, 4")
    }

    @Test func aStaleLineNumberIsReportedAsAnOffset() async throws {
        let file = (1...60).map { "row \($0)\n" }.joined()
        let diff = "--- a/f.txt\n+++ b/f.txt\n@@ -5,3 +5,3 @@\n row 35\n-row 36\n+ROW 36\n row 37\n"
        let run = try await runDiff(diff, files: ["f.txt": file])
        #expect(run.text("f.txt") == file.replacingOccurrences(of: "row 36\n", with: "ROW 36\n"))
        #expect(run.hunk(0)?["offset"] == 30)
        #expect(run.hunk(0)?["line"] == 35)
    }

    @Test func laterHunksCountTheLinesEarlierOnesAdded() async throws {
        let diff = """
            --- a/f.txt
            +++ b/f.txt
            @@ -1,2 +1,4 @@
             line 1
            +new a
            +new b
             line 2
            @@ -8,2 +10,2 @@
             line 8
            -line 9
            +LINE 9

            """
        let run = try await runDiff(diff, files: ["f.txt": Self.numbers])
        #expect(run.hunk(1)?["offset"] == 0)
        #expect(run.hunk(1)?["line"] == 10)
        #expect(run.text("f.txt")?.contains("new b\nline 2\n") == true)
        #expect(run.text("f.txt")?.contains("line 8\nLINE 9\nline 10\n") == true)
    }

    /// A file that drifted from what the diff was made against, and how the hunk still fits it.
    struct Drift: CustomStringConvertible, Sendable {
        var description: String
        var hunk: String
        var file: String
        var result: String
        var match: JSONValue
        var indent: JSONValue? = nil
    }

    static let drifts: [Drift] = [
        Drift(
            description: "trailing whitespace in the file, kept on its context line",
            hunk: " keep\n-old\n+new\n",
            file: "keep  \nold\t\n",
            result: "keep  \nnew\n",
            match: "trailing_whitespace"
        ),
        Drift(
            description: "the file indented deeper: added lines shifted the same way",
            hunk: " def f():\n-    return 1\n+    x = 1\n+    return x\n",
            file: "class A:\n    def f():\n        return 1\n",
            result: "class A:\n    def f():\n        x = 1\n        return x\n",
            match: "indentation",
            indent: "+4"
        ),
        Drift(
            description: "typographic punctuation in the file",
            hunk: "-say \"hi\" - now\n+say \"bye\"\n",
            file: "say \u{201C}hi\u{201D} \u{2014} now\n",
            result: "say \"bye\"\n",
            match: "unicode_punctuation"
        ),
    ]

    @Test(arguments: drifts)
    func aDriftedFileMatchesAtItsLevel(_ drift: Drift) async throws {
        let lines = drift.hunk.split(separator: "\n")
        let header = "@@ -1,\(lines.filter { !$0.hasPrefix("+") }.count) +1,\(lines.filter { !$0.hasPrefix("-") }.count) @@\n"
        let run = try await runDiff("--- a/f.txt\n+++ b/f.txt\n" + header + drift.hunk, files: ["f.txt": drift.file])
        #expect(run.text("f.txt") == drift.result)
        #expect(run.hunk(0)?["match"] == drift.match)
        #expect(run.hunk(0)?["indent"] == drift.indent)
    }

    @Test func aCRLFFileStaysCRLF() async throws {
        let diff = "--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,3 @@\n one\n+one and a half\n two\n"
        let run = try await runDiff(diff, files: ["f.txt": "one\r\ntwo\r\n"])
        #expect(run.text("f.txt") == "one\r\none and a half\r\ntwo\r\n")
        #expect(run.hunk(0)?["match"] == "exact")
        // A diff made of the CRLF file itself reads the same.
        let crlf = try await runDiff(diff.replacingOccurrences(of: "\n", with: "\r\n"), files: ["f.txt": "one\r\ntwo\r\n"])
        #expect(crlf.text("f.txt") == "one\r\none and a half\r\ntwo\r\n")
    }

    @Test func bytesOutsideTheHunkAreKeptEvenWhenNotUTF8() async throws {
        let before: [UInt8] = Array("a\n".utf8) + [0xFF, 0xFE, 0x0A] + Array("b\nc\n".utf8)
        let diff = "--- a/f.bin\n+++ b/f.bin\n@@ -3,2 +3,2 @@\n b\n-c\n+C\n"
        let run = try await runApplier(UnifiedDiffApplier(), .string(diff), files: ["f.bin": FileContent(bytes: before)])
        #expect(run.files["f.bin"]?.bytes == Array("a\n".utf8) + [0xFF, 0xFE, 0x0A] + Array("b\nC\n".utf8))
    }

    @Test func aFileWithANULIsBinary() async throws {
        let diff = "--- a/f.bin\n+++ b/f.bin\n@@ -1 +1 @@\n-a\n+b\n"
        let error = await applyError {
            _ = try await runApplier(UnifiedDiffApplier(), .string(diff), files: ["f.bin": FileContent(bytes: [0x61, 0x00, 0x0A])])
        }
        #expect(error?.reason == .binaryFile)
    }

    @Test func newAndDeletedFiles() async throws {
        let diff = """
            diff --git a/bin/run.sh b/bin/run.sh
            new file mode 100755
            index 0000000..1111111
            --- /dev/null
            +++ b/bin/run.sh
            @@ -0,0 +1,2 @@
            +#!/bin/sh
            +echo hi
            diff --git a/old.txt b/old.txt
            deleted file mode 100644
            --- a/old.txt
            +++ /dev/null
            @@ -1,2 +0,0 @@
            -bye
            -now

            """
        let run = try await runDiff(diff, files: ["old.txt": "bye\nnow\n"])
        #expect(run.text("bin/run.sh") == "#!/bin/sh\necho hi\n")
        #expect(run.files["bin/run.sh"]?.mode == 0o755)
        #expect(run.files["old.txt"] == nil)
        #expect(run.details["files"] == [["path": "bin/run.sh", "action": "created"], ["path": "old.txt", "action": "deleted"]])
        let exists = await diffError(diff, files: ["old.txt": "bye\nnow\n", "bin/run.sh": "x\n"])
        #expect(exists?.reason == .fileExists)
        let changed = await diffError(diff, files: ["old.txt": "bye\nnow\nand more\n"])
        #expect(changed?.reason == .noMatch)
        #expect(changed?.message.contains("does not remove") == true, "\(changed?.message ?? "")")
        await expectDiffFailure(diff, on: [:], .fileNotFound, saying: "deletes old.txt, which does not exist (deleted before?)")
    }

    @Test func anAddedFinalNewlineAndARemovedOne() async throws {
        let header = "--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n a\n"
        let marker = "\\ No newline at end of file\n"
        try await expectDiff(header + "-b\n" + marker + "+b\n", on: ["f.txt": "a\nb"], "a\nb\n")
        try await expectDiff(header + "-b\n+b\n" + marker, on: ["f.txt": "a\nb\n"], "a\nb")
        // Both sides without one: the change is in the last line.
        let both = header + "-b\n" + marker + "+c\n" + marker
        try await expectDiff(both, on: ["f.txt": "a\nb"], "a\nc")
        // The old side says the line ends the file: a copy of it higher up is no candidate.
        try await expectDiff(both, on: ["f.txt": "a\nb\nx\na\nb"], "a\nb\nx\na\nc")
    }

    @Test func aModeChangeAlone() async throws {
        let diff = "diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n"
        let run = try await runDiff(diff, files: ["run.sh": "echo\n"])
        #expect(run.files["run.sh"]?.mode == 0o755)
        #expect(run.changes == [FileChange(path: "run.sh", action: .setMode(0o755))])
    }

    @Test func aRenameWithAnEdit() async throws {
        let diff = """
            diff --git a/old/name.txt b/new/name.txt
            similarity index 80%
            rename from old/name.txt
            rename to new/name.txt
            --- a/old/name.txt
            +++ b/new/name.txt
            @@ -1,2 +1,2 @@
             keep
            -drop
            +add

            """
        let run = try await runApplier(
            UnifiedDiffApplier(),
            .string(diff),
            files: ["old/name.txt": FileContent(bytes: Array("keep\ndrop\n".utf8), mode: 0o600)],
            target: nil
        )
        #expect(run.files["old/name.txt"] == nil)
        #expect(run.files["new/name.txt"] == FileContent(bytes: Array("keep\nadd\n".utf8), mode: 0o600))
        #expect(run.details["files"] == [["path": "old/name.txt", "action": "moved", "to": "new/name.txt"]])
    }

    @Test func wrongCountsAndTruncationAreRefusedWithTheLine() async throws {
        let truncated = "--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n a\n-b\n"
        await expectDiffFailure(truncated, on: ["f.txt": "a\nb\nc\n"], .invalidPatch, saying: "line 3: hunk 1 of f.txt says '@@ -1,3 +1,3 @@'")
        await expectDiffFailure(truncated, on: ["f.txt": "a\nb\nc\n"], .invalidPatch, saying: "truncated")
        let tooFew = "--- a/f.txt\n+++ b/f.txt\n@@ -1,1 +1,1 @@\n-a\n+A\n+extra\n"
        await expectDiffFailure(tooFew, on: ["f.txt": "a\n"], .invalidPatch, saying: "line 6")
        let bare = "--- a/f.txt\n+++ b/f.txt\n@@\n-a\n+A\n"
        #expect(await diffError(bare, files: ["f.txt": "a\n"])?.reason == .invalidPatch)
        #expect(await diffError("just prose", files: [:])?.reason == .invalidPatch)
        let binary = "diff --git a/x.png b/x.png\nBinary files a/x.png and b/x.png differ\n"
        #expect(await diffError(binary, files: [:])?.reason == .invalidPatch)
    }

    @Test func fuzzSetsAsideContextOnlyWhenAllowed() async throws {
        // A context line nothing like the file's (so not merely stale): only fuzz sets it aside.
        let diff = "--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n stale context\n-old\n+new\n tail\n"
        let file = "x = 42\nold\ntail\n"
        #expect(await diffError(diff, files: ["f.txt": file])?.reason == .noMatch)
        let run = try await runDiff(diff, files: ["f.txt": file], fuzz: 1)
        #expect(run.text("f.txt") == "x = 42\nnew\ntail\n")
        #expect(run.hunk(0)?["fuzz"] == 1)
        #expect(run.hunk(0)?["offset"] == 0)
        // Fuzz keeps the uniqueness rule.
        let twice = await diffError(diff, files: ["f.txt": "x\nold\ntail\ny\nold\ntail\n"], fuzz: 1)
        #expect(twice?.reason == .ambiguousMatch)
    }

    @Test func anAlreadyAppliedDiffIsAHintNotASuccess() async throws {
        let diff = "--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n keep\n-old line\n+new line\n"
        await expectDiffFailure(diff, on: ["f.txt": "keep\nnew line\n"], .noMatch, saying: "already present at line 1")
        await expectDiffFailure(diff, on: ["f.txt": "keep\nnew line\n"], .noMatch, saying: "closest is lines 1-2")
    }

    @Test func hunksApplyInOrderAndNeverBeforeThePreviousOne() async throws {
        let diff = "--- a/f.txt\n+++ b/f.txt\n@@ -3,1 +3,1 @@\n-c\n+C\n@@ -1,1 +1,1 @@\n-a\n+A\n"
        await expectDiffFailure(diff, on: ["f.txt": "a\nb\nc\n"], .noMatch, saying: "after line 3")
    }

    @Test func aGNUDiffWithTimestampsAndAHeaderlessHunkOnTheTarget() async throws {
        let hunk = "@@ -1 +1 @@\n-a\n+b\n"
        let gnu = "--- f.txt\t2024-01-01 10:00:00.000000000 +0000\n+++ f.txt\t2024-01-02 10:00:00.000000000 +0000\n"
        try await expectDiff(gnu + hunk, on: ["f.txt": "a\n"], "b\n")
        let quoted = "--- \"a/caf\\303\\251 menu.txt\"\n+++ \"b/caf\\303\\251 menu.txt\"\n"
        try await expectDiff(quoted + hunk, on: ["caf\u{E9} menu.txt": "a\n"], leaves: "caf\u{E9} menu.txt", "b\n")
        let bare = hunk
        try await expectDiff(bare, on: ["f.txt": "a\n"], target: "f.txt", "b\n")
        #expect(await diffError(bare, files: ["f.txt": "a\n"])?.reason == .invalidPatch)
    }

    /// `git format-patch` output: a mail header and diffstat before the diff, a signature after it.
    @Test func aFormatPatchMailApplies() async throws {
        let mail = """
            From 1234567 Mon Sep 17 00:00:00 2001
            Subject: [PATCH] rename a

            ---
             f.txt | 2 +-
             1 file changed, 1 insertion(+), 1 deletion(-)

            diff --git a/f.txt b/f.txt
            --- a/f.txt
            +++ b/f.txt
            @@ -1 +1 @@
            -a
            +b
            --\u{20}
            2.39.5

            """
        #expect(try await runDiff(mail, files: ["f.txt": "a\n"]).text("f.txt") == "b\n")
    }

    @Test func anUpdateOfAMissingFile() async throws {
        let diff = "--- a/f.txt\n+++ b/f.txt\n@@ -1 +1 @@\n-a\n+b\n"
        #expect(await diffError(diff, files: [:])?.reason == .fileNotFound)
    }
}
