import ApplierAPI
import Testing

/// Cases at the edges: blank lines, overlaps, large files, lookalike markers.
@Suite struct SearchReplaceEdgeTests {
    /// A blank line with spaces in the file matches an empty line of the search, one level down.
    @Test func blankLinesInsideASearch() async throws {
        let run = try await runSearchReplace(["search": "a()\n\nb()\n", "replace": "c()\n"], on: "x\na()\n   \nb()\ny\n")
        #expect(run.text("f.txt") == "x\nc()\ny\n")
        #expect(run.edits.first?["match"] == "trailing_whitespace")
    }

    @Test func overlappingFragmentsAreAmbiguous() async {
        let error = await searchReplaceError(["search": "aa", "replace": "b"], on: "aaa\n")
        #expect(error?.reason == .ambiguousMatch)
        #expect(error?.message.contains("fits 2 places in f.txt exactly (line:column 1:1, 1:2)") == true, "\(error?.message ?? "")")
    }

    /// A curly quote folds to one byte: a fragment cannot start or end inside the bytes of `…`.
    @Test func aFragmentDoesNotSplitAFoldedCharacter() async {
        let error = await searchReplaceError(["search": "..", "replace": "!"], on: "wait\u{2026}\n")
        #expect(error?.reason == .noMatch)
    }

    /// A line that only looks like a marker (a conflict marker, a longer rule) is content, not structure.
    @Test func lookalikeMarkersAreContent() async throws {
        let text = "f.txt\n<<<<<<< SEARCH\n<<<<<<< HEAD\n==========\n=======\n>>>>>>> main\n>>>>>>> REPLACE\n"
        let run = try await runSearchReplace(.string(text), on: "<<<<<<< HEAD\n==========\n")
        #expect(run.text("f.txt") == ">>>>>>> main\n")
    }

    /// A 10 MB file of 250,000 lines: the edit near its end is found, and the bytes around it are kept.
    @Test func aLargeFileIsEditedInPlace() async throws {
        var text = (0..<250_000).map { "let value\($0) = compute(\($0), \"padding padding\")\n" }.joined()
        text += "final()\n"
        let run = try await runSearchReplace(["search": "let value249999 = compute(249999, \"padding padding\")\n", "replace": "done()\n"], on: text)
        #expect(run.text("f.txt")?.hasSuffix("let value249998 = compute(249998, \"padding padding\")\ndone()\nfinal()\n") == true)
        #expect(run.edits.first?["line"] == 250_000)
    }

    @Test func aLargeFileMissReportsTheClosestLine() async throws {
        let text = (0..<100_000).map { "row \($0) = \($0 * 7)\n" }.joined()
        let error = await searchReplaceError(["search": "row 5000 = 35001\nrow 5001 = 35007\n", "replace": "x\n"], on: text)
        #expect(error?.reason == .noMatch)
        #expect(error?.message.contains("closest is lines 5001-5002") == true, "\(error?.message ?? "")")
    }

    /// A search of many identical lines over a file of the same lines: a bounded answer (speed is for
    /// benchmarks, not tests; a quadratic search would show here as a test that does not end).
    @Test func repeatedLinesGiveABoundedAnswer() async {
        let file = String(repeating: "x\n", count: 200_000)
        let ambiguous = await searchReplaceError(["search": .string(String(repeating: "x\n", count: 5_000)), "replace": "y\n"], on: file)
        #expect(ambiguous?.reason == .ambiguousMatch)
        #expect(ambiguous?.message.contains("fits 100 or more places") == true, "\(ambiguous?.message.prefix(200) ?? "")")
        let nearMiss = await searchReplaceError(["search": .string(String(repeating: "x\n", count: 5_000) + "y\n"), "replace": "z\n"], on: file)
        #expect(nearMiss?.reason == .noMatch)
        let fragment = await searchReplaceError(
            ["search": .string(String(repeating: "a", count: 50_000) + "b"), "replace": "c"],
            on: String(repeating: "a", count: 2_000_000)
        )
        #expect(fragment?.reason == .noMatch)
    }
}
