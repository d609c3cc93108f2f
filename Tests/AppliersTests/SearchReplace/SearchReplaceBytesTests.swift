import ApplierAPI
import Testing

/// Bytes outside the replaced lines are never touched: line endings, a missing final newline (the cases
/// below run in ``SearchReplaceLadderTests``), bytes that are not UTF-8.
@Suite struct SearchReplaceBytesTests {
    static let cases: [SearchReplaceCase] = [
        (
            name: "a CRLF file stays CRLF",
            search: "b\n",
            replace: "B1\nB2\n",
            file: "a\r\nb\r\nc\r\n",
            expected: "a\r\nB1\r\nB2\r\nc\r\n",
            edit: ["path": "f.txt", "match": "exact", "line": 2, "lines": 1]
        ),
        (
            name: "a CRLF search finds an LF file",
            search: "a\r\nb\r\n",
            replace: "x\r\n",
            file: "a\nb\nc\n",
            expected: "x\nc\n",
            edit: ["path": "f.txt", "match": "exact", "line": 1, "lines": 2]
        ),
        (
            name: "mixed endings: new lines take the replaced lines' ending",
            search: "b\nc\n",
            replace: "1\n2\n3\n",
            file: "a\nb\r\nc\r\nd\n",
            expected: "a\n1\r\n2\r\n3\r\nd\n",
            edit: ["path": "f.txt", "match": "exact", "line": 2, "lines": 2]
        ),
        (
            name: "no final newline stays so",
            search: "a\nb",
            replace: "x\ny\nz",
            file: "a\nb",
            expected: "x\ny\nz",
            edit: ["path": "f.txt", "match": "exact", "line": 1, "lines": 2]
        ),
        (
            name: "no final newline stays so, CRLF",
            search: "b\n",
            replace: "c\nd\n",
            file: "a\r\nb",
            expected: "a\r\nc\r\nd",
            edit: ["path": "f.txt", "match": "exact", "line": 2, "lines": 1]
        ),
        (
            name: "deleting the unterminated last line adds no newline",
            search: "b\n",
            replace: "",
            file: "a\nb",
            expected: "a",
            edit: ["path": "f.txt", "match": "exact", "line": 2, "lines": 1]
        ),
        (
            name: "deleting a middle line",
            search: "b\n",
            replace: "",
            file: "a\nb\nc",
            expected: "a\nc",
            edit: ["path": "f.txt", "match": "exact", "line": 2, "lines": 1]
        ),
        (
            name: "a fragment's replacement with line breaks uses the file's ending",
            search: "f(a, b)",
            replace: "f(\n  a,\n  b)",
            file: "x = f(a, b);\r\ny\r\n",
            expected: "x = f(\r\n  a,\r\n  b);\r\ny\r\n",
            edit: ["path": "f.txt", "match": "exact", "line": 1, "lines": 1]
        ),
    ]

    @Test func bytesThatAreNotUTF8AreKept() async throws {
        let before: [UInt8] = [0xFF, 0x0A] + Array("name = 'Ren\u{E9}'\n".utf8) + [0x63, 0x61, 0x66, 0xE9, 0x0A]
        let run = try await runSearchReplace(["search": "name = 'Ren\u{E9}'\n", "replace": "name = 'Zo\u{E9}'\n"], files: ["f.txt": before])
        #expect(run.files["f.txt"] == .some([0xFF, 0x0A] + Array("name = 'Zo\u{E9}'\n".utf8) + [0x63, 0x61, 0x66, 0xE9, 0x0A]))
    }

    @Test func aFileWithANULIsBinary() async {
        let error = await searchReplaceError(["search": "a", "replace": "b"], on: "a\u{0}b")
        #expect(error?.reason == .binaryFile)
    }

    @Test func replacingTextWithItselfChangesNothing() async throws {
        let run = try await runSearchReplace(["search": "a\n", "replace": "a\n"], on: "a\nb\n")
        #expect(run.changes.isEmpty)
        #expect(run.details["note"] != nil)
    }
}
