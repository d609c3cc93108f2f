import ApplierAPI
import Foundation
import Testing

@testable import Appliers

/// The two rungs for drift a model cannot see: a file indented with tabs where the patch has spaces, and
/// one unchanged line the file has changed since. Each writes the file's own bytes where the edit changes
/// nothing, and never guesses.
@Suite struct DriftRungTests {
    private let tabbed = "struct A {\n\tfunc f() {\n\t\tlet x = 1\n\t\treturn x\n\t}\n}\n"

    @Test func spacesInTheSearchTabsInTheFileNewLinesInTabs() async throws {
        let run = try await runSearchReplace(
            [
                "search": "    func f() {\n        let x = 1\n        return x\n    }\n",
                "replace": "    func f() {\n        let x = 1\n        if x > 0 {\n            return x\n        }\n        return 0\n    }\n",
            ],
            on: tabbed
        )
        #expect(run.text("f.txt") == "struct A {\n\tfunc f() {\n\t\tlet x = 1\n\t\tif x > 0 {\n\t\t\treturn x\n\t\t}\n\t\treturn 0\n\t}\n}\n")
        #expect(run.edits.first?["match"] == "indentation_style")
        #expect(run.edits.first?["indent"] == "tabs")
    }

    @Test func aDiffWithSpacesOnATabbedFile() async throws {
        let diff = "--- a/f.txt\n+++ b/f.txt\n@@ -2,4 +2,5 @@\n     func f() {\n         let x = 1\n+        print(x)\n         return x\n     }\n"
        let run = try await runDiff(diff, files: ["f.txt": tabbed])
        #expect(run.text("f.txt") == "struct A {\n\tfunc f() {\n\t\tlet x = 1\n\t\tprint(x)\n\t\treturn x\n\t}\n}\n")
        #expect(run.hunk(0)?["match"] == "indentation_style")
    }

    /// Two search indentations written one way in the file, or a new line deeper than any the matched lines
    /// show in a ratio they do not give: no match rather than a guess.
    @Test func anIndentationTheMatchedLinesDoNotExplainIsNoMatch() async {
        let merged = await searchReplaceError(["search": "  a()\n    b()\n", "replace": "  c()\n"], on: "\ta()\n\tb()\n")
        #expect(merged?.reason == .noMatch)
        let odd = await searchReplaceError(["search": "    a()\n    b()\n", "replace": "    a()\n      c()\n"], on: "\ta()\n\tb()\n")
        #expect(odd?.reason == .noMatch)
        #expect(odd?.message.contains("indents with tabs") == true, "\(odd?.message ?? "")")
    }

    @Test func oneStaleUnchangedLineIsKeptAsTheFileHasIt() async throws {
        let file = "def total(items):\n    result = 0  # running sum\n    for item in items:\n        result += item\n    return result\n"
        let run = try await runSearchReplace(
            [
                "search": "def total(items):\n    result = 0\n    for item in items:\n        result += item\n    return result\n",
                "replace": "def total(items):\n    result = 0\n    for item in items:\n        result += item.price\n    return result\n",
            ],
            on: file
        )
        #expect(
            run.text("f.txt")
                == "def total(items):\n    result = 0  # running sum\n    for item in items:\n        result += item.price\n    return result\n"
        )
        #expect(run.edits.first?["match"] == "stale_context")
    }

    @Test func aStaleLineTheEditChangesIsNoMatch() async {
        // The line the edit rewrites differs in the file: the model's premise is wrong, so nothing is written.
        let error = await searchReplaceError(
            [
                "search": "def total(items):\n    result = 0\n    for item in items:\n    return result\n",
                "replace": "def total(items):\n    result = 1\n    for item in items:\n    return result\n",
            ],
            on: "def total(items):\n    result = 0.0\n    for item in items:\n    return result\n"
        )
        #expect(error?.reason == .noMatch)
    }

    @Test func aStaleLineThatFitsTwoPlacesIsAmbiguous() async {
        let block = "    a = load()\n    b = a + 1\n    save(b)\n"
        let file =
            "def f():\n" + block.replacingOccurrences(of: "load()", with: "load(1)") + "def g():\n"
            + block.replacingOccurrences(of: "load()", with: "load(2)")
        let error = await searchReplaceError(
            ["search": .string(block), "replace": .string(block.replacingOccurrences(of: "save", with: "store"))],
            on: file
        )
        #expect(error?.reason == .ambiguousMatch)
        #expect(error?.message.contains("lines 2, 6") == true, "\(error?.message ?? "")")
    }

    @Test func aStaleHunkContextLineInADiff() async throws {
        let diff =
            "--- a/f.txt\n+++ b/f.txt\n@@ -1,4 +1,4 @@\n alpha = compute(1)\n beta = compute(2)\n-gamma = compute(3)\n+gamma = compute(33)\n delta = compute(4)\n"
        let file = "alpha = compute(1)\nbeta = compute(2, cached: true)\ngamma = compute(3)\ndelta = compute(4)\n"
        let run = try await runDiff(diff, files: ["f.txt": file])
        #expect(run.text("f.txt") == "alpha = compute(1)\nbeta = compute(2, cached: true)\ngamma = compute(33)\ndelta = compute(4)\n")
        #expect(run.hunk(0)?["match"] == "stale_context")
    }
}
