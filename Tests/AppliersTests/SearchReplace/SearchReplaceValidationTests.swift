import ApplierAPI
import Appliers
import Testing

/// What the check at intake refuses (422: the host asks for the input paths, then `validate`), with a message
/// precise enough to fix the payload.
@Suite struct SearchReplaceValidationTests {
    func refusal(_ payload: JSONValue, target: String? = "f.txt") -> ApplyError? {
        do {
            let operation = PatchOperation(role: "search_replace", target: target, payload: payload)
            _ = try SearchReplaceApplier().inputPaths(for: operation)
            try SearchReplaceApplier().validate(operation)
            return nil
        } catch {
            return error
        }
    }

    static let refused: [(payload: JSONValue, message: String)] = [
        (["search": "a"], "the edit has no 'replace' (it has 'search')"),
        (["replace": "a"], "the edit has no 'search'"),
        (["search": 1, "replace": "a"], "'search' must be a string, not number"),
        (["search": "a", "replacement": "b"], "the edit has no 'replace' (it has 'replacement', 'search')"),
        ([:], "payload needs 'search' and 'replace' (or an 'edits' list); it has no field"),
        (["edits": []], "'edits' is empty"),
        (["edits": "x"], "'edits' must be an array, not string"),
        (["edits": [["search": "a", "replace": "b"], 3]], "edits[1] must be an object, not number"),
        (["edits": [["search": "a", "replace": ["b"]]]], "'edits[0].replace' must be a string, not array"),
        (["edits": [["path": "", "search": "a", "replace": "b"]]], "'edits[0].path' is empty"),
        (["edits": [["search": "a", "replace": "b"]], "search": "c"], "both 'edits' and 'search'"),
        (42, "not number"),
        ("no blocks here", "no '<<<<<<< SEARCH' block found"),
        ("f.txt\n<<<<<<< SEARCH\na\n>>>>>>> REPLACE\n", "line 4: '>>>>>>> REPLACE' where the block opened at line 2 needs '=======' first"),
        (
            "f.txt\n<<<<<<< SEARCH\na\n=======\nb\n",
            "line 2: the SEARCH block opened here is unterminated: the text ends before its '>>>>>>> REPLACE' line"
        ),
        ("f.txt\n<<<<<<< SEARCH\na\n", "line 2: the SEARCH block opened here is unterminated: the text ends before its '=======' divider"),
        (
            "f.txt\n<<<<<<< SEARCH\na\n=======\nb\n=======\nc\n>>>>>>> REPLACE\n",
            "line 6: '=======' where the block opened at line 2 needs '>>>>>>> REPLACE'"
        ),
        ("f.txt\n<<<<<<< SEARCH\na\n<<<<<<< SEARCH\n", "line 4: '<<<<<<< SEARCH' where the block opened at line 2"),
        ("f.txt\na\n=======\nb\n>>>>>>> REPLACE\n", "line 3: '=======' outside a SEARCH/REPLACE block"),
    ]

    @Test(arguments: Self.refused)
    func aPayloadThatCanOnlyFailIsRefused(payload: JSONValue, message: String) {
        let error = refusal(payload)
        #expect(error?.reason == .invalidPatch)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "accepted")")
    }

    @Test func anEditNeedsAFile() {
        #expect(refusal(["search": "a", "replace": "b"], target: nil)?.message.contains("names no file") == true)
        #expect(refusal("<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n", target: nil)?.message.contains("line 1 names no file") == true)
        #expect(refusal(["edits": [["path": "a.txt", "search": "a", "replace": "b"]]], target: nil) == nil)
    }

    @Test func goodPayloadsPass() {
        #expect(refusal(["search": "a", "replace": ""]) == nil)
        #expect(refusal(["search": "", "replace": "new file\n"]) == nil)
        #expect(refusal("prose\n\nf.txt\n```\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n") == nil)
    }

    /// A v2 mutation carries `op` and `path` beside the fields: they are the envelope's, not an error.
    @Test func aMutationPayloadPasses() {
        #expect(refusal(["op": "search_replace", "path": "f.txt", "search": "a", "replace": "b"]) == nil)
    }
}
