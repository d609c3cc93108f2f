import ApplierAPI
import Appliers
import Testing

/// The Aider text form: path lines, fences, SEARCH/REPLACE blocks, several files per patch.
@Suite struct SearchReplaceAiderTests {
    let twoFiles = """
        I will rename the helper and update its caller.

        app/util.py
        ```python
        <<<<<<< SEARCH
        def helper(x):
            return x * 2
        =======
        def double(x):
            return x * 2
        >>>>>>> REPLACE
        ```

        ```python app/main.py
        <<<<<<< SEARCH
        from app.util import helper
        =======
        from app.util import double
        >>>>>>> REPLACE
        ```

        <<<<<<< SEARCH
        print(helper(2))
        =======
        print(double(2))
        >>>>>>> REPLACE
        """

    @Test func blocksForTwoFilesApplyToBoth() async throws {
        let files = [
            "app/util.py": Array("import os\n\ndef helper(x):\n    return x * 2\n".utf8),
            "app/main.py": Array("from app.util import helper\n\nprint(helper(2))\n".utf8),
        ]
        let operation = PatchOperation(role: "search_replace", payload: .string(twoFiles))
        #expect(try SearchReplaceApplier().inputPaths(for: operation) == ["app/util.py", "app/main.py"])
        let run = try await runSearchReplace(.string(twoFiles), files: files, target: nil)
        #expect(run.text("app/util.py") == "import os\n\ndef double(x):\n    return x * 2\n")
        #expect(run.text("app/main.py") == "from app.util import double\n\nprint(double(2))\n")
        #expect(
            run.edits == [
                ["path": "app/util.py", "match": "exact", "line": 3, "lines": 2],
                ["path": "app/main.py", "match": "exact", "line": 1, "lines": 1],
                ["path": "app/main.py", "match": "exact", "line": 3, "lines": 1],
            ]
        )
    }

    /// Aider's blocks name whole lines even when a block holds one line: `x` does not match inside `max`.
    @Test func aOneLineBlockIsAWholeLine() async throws {
        let text = "f.txt\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n"
        let run = try await runSearchReplace(.string(text), on: "max\nx\n")
        #expect(run.text("f.txt") == "max\ny\n")
    }

    @Test func aBlockWithoutAPathUsesTheTarget() async throws {
        let run = try await runSearchReplace(.string("<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE"), on: "a\n")
        #expect(run.text("f.txt") == "b\n")
    }

    @Test func decoratedPathLinesAreRead() async throws {
        for line in ["`src/a.ts`:", "**src/a.ts**", "# src/a.ts", "```ts:src/a.ts", "```src/a.ts"] {
            let text = "\(line)\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n"
            let operation = PatchOperation(role: "search_replace", payload: .string(text))
            #expect(try SearchReplaceApplier().inputPaths(for: operation) == ["src/a.ts"], "\(line)")
        }
    }

    @Test func anEmptySearchBlockCreatesTheFile() async throws {
        let text = "docs/new.md\n```\n<<<<<<< SEARCH\n=======\n# Title\n\nBody.\n>>>>>>> REPLACE\n```\n"
        let run = try await runSearchReplace(.string(text), files: [:], target: nil)
        #expect(run.text("docs/new.md") == "# Title\n\nBody.\n")
    }

    @Test func crlfAiderTextIsRead() async throws {
        let text = "f.txt\r\n<<<<<<< SEARCH\r\na\r\n=======\r\nb\r\n>>>>>>> REPLACE\r\n"
        let run = try await runSearchReplace(.string(text), on: "a\nc\n")
        #expect(run.text("f.txt") == "b\nc\n")
    }
}
