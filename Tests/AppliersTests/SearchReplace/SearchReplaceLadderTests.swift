import ApplierAPI
import Testing

/// One search/replace on `f.txt`: what it shows, the search, the replacement, the file before and after,
/// and the edit's receipt entry.
typealias SearchReplaceCase = (name: String, search: String, replace: String, file: String, expected: String, edit: JSONValue)

/// Each rung of the matching ladder: the exact output bytes and what the receipt says about the match.
@Suite struct SearchReplaceLadderTests {
    static let cases: [SearchReplaceCase] = [
        (
            name: "exact, whole lines",
            search: "b = 2\n",
            replace: "b = 3\n",
            file: "a = 1\nb = 2\nc = 3\n",
            expected: "a = 1\nb = 3\nc = 3\n",
            edit: ["path": "f.txt", "match": "exact", "line": 2, "lines": 1]
        ),
        (
            name: "trailing whitespace ignored, and kept on the lines the edit does not change",
            search: "def f():\n    return 1\n",
            replace: "def f():\n    return 2\n",
            file: "x = 0  \ndef f():   \n    return 1\t\n",
            expected: "x = 0  \ndef f():   \n    return 2\n",
            edit: ["path": "f.txt", "match": "trailing_whitespace", "line": 2, "lines": 2]
        ),
        (
            name: "indentation lost by the search: the replacement is written at the file's depth",
            search: "def f(self):\n    return 1\n",
            replace: "def f(self):\n    if self:\n        return 2\n\n    return 1\n",
            file: "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        pass\n",
            expected: "class A:\n    def f(self):\n        if self:\n            return 2\n\n        return 1\n\n    def g(self):\n        pass\n",
            edit: ["path": "f.txt", "match": "indentation", "line": 2, "lines": 2, "indent": "+4"]
        ),
        (
            name: "a search indented deeper than the file: the replacement loses the same prefix",
            search: "        if x:\n            y()\n",
            replace: "        if x:\n            z()\n",
            file: "def f():\n    if x:\n        y()\n",
            expected: "def f():\n    if x:\n        z()\n",
            edit: ["path": "f.txt", "match": "indentation", "line": 2, "lines": 2, "indent": "-4"]
        ),
        (
            name: "Unicode punctuation folded: curly quotes, apostrophe, no-break space, em dash, ellipsis",
            search: "print(\"it's done\") - ok...\n",
            replace: "print(\"finished\")\n",
            file: "start()\nprint(\u{201C}it\u{2019}s done\u{201D})\u{00A0}\u{2014} ok\u{2026}\nend()\n",
            expected: "start()\nprint(\"finished\")\nend()\n",
            edit: ["path": "f.txt", "match": "unicode_punctuation", "line": 2, "lines": 1]
        ),
        (
            name: "curly quotes in the search find straight ones, with the indentation shift",
            search: "    say(\u{2018}hi\u{2019})\n",
            replace: "    say('bye')\n",
            file: "  say('hi')\n",
            expected: "  say('bye')\n",
            edit: ["path": "f.txt", "match": "unicode_punctuation", "line": 1, "lines": 1, "indent": "-2"]
        ),
        (
            name: "a fragment is a substring of one line",
            search: "old title",
            replace: "new title",
            file: "<body>\n  <h1>old title</h1>\n</body>",
            expected: "<body>\n  <h1>new title</h1>\n</body>",
            edit: ["path": "f.txt", "match": "exact", "line": 2, "lines": 1]
        ),
        (
            name: "a fragment with punctuation folded",
            search: "\"Hello\" - world",
            replace: "\"Hi\"",
            file: "x = \u{201C}Hello\u{201D} \u{2013} world;\n",
            expected: "x = \"Hi\";\n",
            edit: ["path": "f.txt", "match": "unicode_punctuation", "line": 1, "lines": 1]
        ),
        (
            name: "the first level that fits decides: one exact place beats two looser ones",
            search: "x = 1\n",
            replace: "x = 2\n",
            file: "x = 1 \nx = 1\n  x = 1\n",
            expected: "x = 1 \nx = 2\n  x = 1\n",
            edit: ["path": "f.txt", "match": "exact", "line": 2, "lines": 1]
        ),
        (
            name: "one place ignoring trailing whitespace is not spoiled by two ignoring indentation",
            search: "x = 1\n",
            replace: "x = 2\n",
            file: "x = 1 \n  x = 1\n",
            expected: "x = 2\n  x = 1\n",
            edit: ["path": "f.txt", "match": "trailing_whitespace", "line": 1, "lines": 1]
        ),
    ]

    /// Every level, and the line-ending cases of ``SearchReplaceBytesTests``: exact bytes and receipt entry.
    @Test(arguments: Self.cases + SearchReplaceBytesTests.cases)
    func eachCaseWritesExactBytesAndSaysSo(
        name: String,
        search: String,
        replace: String,
        file: String,
        expected: String,
        edit: JSONValue
    ) async throws {
        let run = try await runSearchReplace(["search": .string(search), "replace": .string(replace)], on: file)
        #expect(run.text("f.txt") == expected, "\(name)")
        #expect(run.edits == [edit], "\(name)")
    }

    /// Tabs in the file and spaces in the search, or a shift that differs line by line: no one prefix
    /// turns one into the other, so no match rather than a guess.
    @Test(arguments: [
        ("    a()\n    b()\n", "if x {\n\ta()\n\tb()\n}\n"),
        ("a()\n  b()\n", "    a()\n    b()\n"),
    ])
    func indentationIsNeverGuessed(search: String, file: String) async {
        let error = await searchReplaceError(["search": .string(search), "replace": "c()\n"], on: file)
        #expect(error?.reason == .noMatch)
    }
}
