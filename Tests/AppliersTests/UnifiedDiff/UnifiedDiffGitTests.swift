import ApplierAPI
import Appliers
import Foundation
import Testing

/// Real diffs: `git diff` output made in the test and applied by `unified_diff` must give exactly the new
/// files (bytes and modes), and where `git apply` and GNU `patch` apply the same diff, the same result.
@Suite struct UnifiedDiffGitTests {
    /// One change to a small tree.
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var old: [String: FileContent]
        var new: [String: FileContent]
        var description: String { name }
    }

    static func text(_ text: String, mode: UInt16 = 0o644) -> FileContent { FileContent(bytes: Array(text.utf8), mode: mode) }

    static let source = (1...40).map { "    let value\($0) = compute(\($0))\n" }.joined()

    static let cases: [Case] = [
        Case(
            name: "edits in two places of one file",
            old: ["src/a.swift": text(source)],
            new: [
                "src/a.swift": text(
                    source.replacingOccurrences(of: "compute(3)\n", with: "compute(3) + 1\n")
                        .replacingOccurrences(of: "    let value30 = compute(30)\n", with: "")
                        + "    // done\n"
                )
            ]
        ),
        Case(
            name: "several files, a new one, a deleted one, a mode change",
            old: ["a.txt": text("one\ntwo\nthree\n"), "gone.txt": text("bye\n"), "run.sh": text("echo\n")],
            new: ["a.txt": text("one\n2\nthree\n"), "new/b.txt": text("fresh\nfile\n", mode: 0o755), "run.sh": text("echo\n", mode: 0o755)]
        ),
        Case(
            name: "final newline added and removed",
            old: ["a.txt": text("a\nb"), "c.txt": text("c\nd\n")],
            new: ["a.txt": text("a\nb\nmore\n"), "c.txt": text("c\nD")]
        ),
        Case(
            name: "a CRLF file",
            old: ["w.txt": text("one\r\ntwo\r\nthree\r\n")],
            new: ["w.txt": text("one\r\nTWO\r\nthree\r\nfour\r\n")]
        ),
        Case(
            name: "a rename with an edit",
            old: ["old/name.txt": text((1...12).map { "l\($0)\n" }.joined())],
            new: ["new/name.txt": text((1...12).map { $0 == 5 ? "five\n" : "l\($0)\n" }.joined())]
        ),
    ]

    /// `unified_diff` applied to the old tree.
    static func ghost(_ diff: String, _ old: [String: FileContent], fuzz: Int? = nil) async throws -> [String: FileContent] {
        let payload: JSONValue = fuzz.map { ["diff": .string(diff), "fuzz": .number(Double($0))] } ?? .string(diff)
        return try await runApplier(UnifiedDiffApplier(), payload, files: old, target: nil).files
    }

    @Test(arguments: cases)
    func gitDiffRoundTrips(_ change: Case) async throws {
        let diff = try DiffTools.gitDiff(from: change.old, to: change.new)
        #expect(!diff.isEmpty)
        #expect(try await Self.ghost(diff, change.old) == change.new, "\(diff)")
    }

    @Test(arguments: cases)
    func gitApplyAndGNUPatchAgree(_ change: Case) async throws {
        let diff = try DiffTools.gitDiff(from: change.old, to: change.new)
        let ours = try await Self.ghost(diff, change.old)
        #expect(try DiffTools.applied(diff, to: change.old, with: ["git", "apply"]) == ours)
        // GNU patch keeps a file it empties unless told; it writes CRLF diffs as they are.
        #expect(try DiffTools.applied(diff, to: change.old, with: ["patch", "-p1", "-s", "-E"]) == ours, "\(change.name)")
    }

    /// A diff made against a file that has since moved down 30 lines: git apply, GNU patch and GhostRunner
    /// all find the hunk; GhostRunner reports the offset.
    @Test func aShiftedFileAppliesAsGitAndPatchApplyIt() async throws {
        let old = ["f.txt": Self.text(Self.source)]
        let new = ["f.txt": Self.text(Self.source.replacingOccurrences(of: "compute(20)", with: "compute(-20)"))]
        let diff = try DiffTools.gitDiff(from: old, to: new)
        let moved = ["f.txt": Self.text((1...30).map { "// header \($0)\n" }.joined() + Self.source)]
        let run = try await runApplier(UnifiedDiffApplier(), .string(diff), files: moved, target: nil)
        #expect(run.hunk(0)?["offset"] == 30)
        #expect(try DiffTools.applied(diff, to: moved, with: ["git", "apply"]) == run.files)
        #expect(try DiffTools.applied(diff, to: moved, with: ["patch", "-p1", "-s"]) == run.files)
    }

    /// Where GNU patch takes the place nearest the stated line, GhostRunner refuses: two places fit.
    @Test func whereGNUPatchPicksOneOfTwoPlacesGhostRunnerRefuses() async throws {
        let block = "a\nb\nc\nd\ne\nf\ng\n"
        let old = ["f.txt": Self.text(block + "x\n" + block)]
        let diff = "--- a/f.txt\n+++ b/f.txt\n@@ -2,5 +2,5 @@\n b\n c\n-d\n+D\n e\n f\n"
        #expect(try DiffTools.applied(diff, to: old, with: ["patch", "-p1", "-s"]) != nil)
        let error = await applyError { _ = try await Self.ghost(diff, old) }
        #expect(error?.reason == .ambiguousMatch)
        #expect(error?.message.contains("lines 2, 10") == true, "\(error?.message ?? "")")
    }

    /// Where GNU patch applies the lines a hunk header counts and silently drops the line after them,
    /// GhostRunner refuses the hunk.
    @Test func whereGNUPatchDropsALineTheCountsMissGhostRunnerRefuses() async throws {
        let old = ["f.txt": Self.text("a\nb\n")]
        let diff = "--- a/f.txt\n+++ b/f.txt\n@@ -1,1 +1,1 @@\n-a\n+A\n+extra\n"
        #expect(try DiffTools.applied(diff, to: old, with: ["patch", "-p1", "-s"]) == ["f.txt": Self.text("A\nb\n")])
        let error = await applyError { _ = try await Self.ghost(diff, old) }
        #expect(error?.reason == .invalidPatch)
        #expect(error?.message.contains("line 6") == true, "\(error?.message ?? "")")
    }
}
