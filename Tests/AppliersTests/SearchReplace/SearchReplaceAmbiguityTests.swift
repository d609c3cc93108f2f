import ApplierAPI
import Testing

/// A search that fits two places fails at whatever level it first fits, naming both; nothing is written
/// and no looser level is tried.
@Suite struct SearchReplaceAmbiguityTests {
    @Test(arguments: [
        ("exact", "x = 1\n", "x = 1\ny = 2\nx = 1\n", "lines 1, 3"),
        ("trailing whitespace", "x = 1\n", "x = 1 \ny = 2\nx = 1\t\n", "lines 1, 3"),
        ("indentation", "x = 1\n", "  x = 1\ny = 2\n    x = 1\n", "lines 1, 3"),
        ("Unicode punctuation", "say(\"hi\")\n", "say(\u{201C}hi\u{201D})\nz\nsay(\u{201E}hi\u{201C})\n", "lines 1, 3"),
        ("a fragment", "x = 1", "a(x = 1)\nb(x = 1)\n", "lines 1, 2"),
        ("overlapping blocks", "a\na\n", "a\na\na\n", "lines 1, 2"),
    ])
    func twoPlacesAreAmbiguous(level: String, search: String, file: String, lines: String) async {
        let error = await searchReplaceError(["search": .string(search), "replace": "changed\n"], on: file)
        #expect(error?.reason == .ambiguousMatch, "\(level)")
        #expect(error?.message.contains("fits 2 places in f.txt") == true, "\(level): \(error?.message ?? "")")
        #expect(error?.message.contains(lines) == true, "\(level): \(error?.message ?? "")")
    }

    @Test func theMessageNamesTheLevel() async {
        let error = await searchReplaceError(["search": "x = 1\n", "replace": "y\n"], on: "  x = 1\n    x = 1\n")
        #expect(error?.message.contains("ignoring indentation") == true)
    }

    /// Two exact places fail even though a looser level is never consulted; no first-match fallback.
    @Test func exactAmbiguityDoesNotFallThrough() async {
        let error = await searchReplaceError(["search": "return x\n", "replace": "return y\n"], on: "return x\nreturn x\n  return  x\n")
        #expect(error?.reason == .ambiguousMatch)
        #expect(error?.message.contains("exactly") == true)
    }

    /// Many candidates are listed up to ten, then counted.
    @Test func longCandidateListsAreBounded() async {
        let error = await searchReplaceError(["search": "x\n", "replace": "y\n"], on: String(repeating: "x\n", count: 25))
        #expect(error?.message.contains("lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 15 more") == true)
    }
}
