import ApplierAPI
import Appliers
import Testing

/// Several edits, several files, created files: in order, all or nothing.
@Suite struct SearchReplaceEditsTests {
    @Test func editsApplyInOrderEachSeeingThePreviousResult() async throws {
        let run = try await runSearchReplace(
            ["edits": [["search": "a\n", "replace": "b\n"], ["search": "b\nc\n", "replace": "done\n"]]],
            on: "a\nc\n"
        )
        #expect(run.text("f.txt") == "done\n")
        #expect(run.edits.map { $0["line"] } == [1, 1])
    }

    @Test func aFailingEditLeavesEveryFileAsItWas() async throws {
        let payload: JSONValue = [
            "edits": [["path": "a.txt", "search": "1\n", "replace": "2\n"], ["path": "b.txt", "search": "zzz\n", "replace": "y\n"]]
        ]
        let error = await searchReplaceError(payload, files: ["a.txt": Array("1\n".utf8), "b.txt": Array("x\n".utf8)], target: nil)
        #expect(error?.reason == .noMatch)
        #expect(error?.message.hasPrefix("edits[1] matches nowhere in b.txt") == true, "\(error?.message ?? "")")
    }

    @Test func editsNameSeveralFilesAndInputPathsListsEachOnce() throws {
        let operation = PatchOperation(
            role: "search_replace",
            target: "main.txt",
            payload: [
                "edits": [
                    ["search": "a", "replace": "b"], ["path": "lib/x.txt", "search": "c", "replace": "d"],
                    ["path": "./main.txt", "search": "e", "replace": "f"],
                ]
            ]
        )
        #expect(try SearchReplaceApplier().inputPaths(for: operation) == ["main.txt", "lib/x.txt"])
    }

    @Test func twoSpellingsOfOnePathAreOneFile() async throws {
        let run = try await runSearchReplace(
            [
                "edits": [
                    ["search": "one\n", "replace": "two\n"], ["path": "./f.txt", "search": "two\n", "replace": "three\n"],
                    ["path": "/w//f.txt", "search": "three\n", "replace": "four\n"],
                ]
            ],
            on: "one\n"
        )
        #expect(run.text("f.txt") == "four\n")
        #expect(run.changes.count == 1)
    }

    @Test func anEmptySearchCreatesAMissingFile() async throws {
        let run = try await runSearchReplace(["search": "", "replace": "hello\r\nworld"], files: [:])
        #expect(run.files["f.txt"] == .some(Array("hello\r\nworld".utf8)))
        #expect(run.edits == [["path": "f.txt", "match": "created"]])
    }

    @Test func aCreatedFileCanBeEditedByTheNextEdit() async throws {
        let run = try await runSearchReplace(
            [
                "edits": [
                    ["path": "new/a.py", "search": "", "replace": "x = 1\ny = 2\n"], ["path": "new/a.py", "search": "y = 2\n", "replace": "y = 3\n"],
                ]
            ],
            files: [:],
            target: nil
        )
        #expect(run.text("new/a.py") == "x = 1\ny = 3\n")
        #expect(run.edits.map { $0["match"] } == ["created", "exact"])
    }

    @Test func anEmptySearchOnAnExistingFileIsRefusedWithTheReason() async {
        let error = await searchReplaceError(["search": "\n", "replace": "more\n"], on: "content\n")
        #expect(error?.reason == .invalidPatch)
        #expect(error?.message.contains("f.txt exists and is not empty: an empty search only creates a file") == true, "\(error?.message ?? "")")
    }

    @Test func anEmptySearchFillsAnEmptyFile() async throws {
        let run = try await runSearchReplace(["search": "", "replace": "x\n"], on: "")
        #expect(run.text("f.txt") == "x\n")
        #expect(run.edits.first?["match"] == "filled")
    }

    @Test func aSearchInAMissingFileIsFileNotFound() async {
        let error = await searchReplaceError(["search": "a\n", "replace": "b\n"], files: [:])
        #expect(error?.reason == .fileNotFound)
    }

    @Test func theRoleIsBuiltIn() {
        guard case .content(let applier) = ApplierRegistry.builtIn().entry(for: "search_replace") else {
            Issue.record("search_replace is not registered")
            return
        }
        #expect(applier is SearchReplaceApplier)
    }
}
