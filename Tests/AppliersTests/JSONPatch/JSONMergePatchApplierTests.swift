import ApplierAPI
import Appliers
import Testing

/// `json_merge_patch`: RFC 7396's examples with exact results, the payload forms and what is refused.
@Suite struct JSONMergePatchApplierTests {
    /// RFC 7396 Appendix A: original, patch, result (exact bytes; new members go at the end).
    static let appendixA: [(original: String, patch: String, result: String)] = [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, "null", "null"),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ]

    /// An object merge document is the payload itself; any other goes in `{"merge": …}`.
    @Test(arguments: appendixA.indices)
    func rfc7396AppendixA(index: Int) async throws {
        let (original, patch, result) = Self.appendixA[index]
        let isObject = try JSONParser.parse(patch).objectValue != nil
        let payload = isObject ? patch : #"{"merge":\#(patch)}"#
        #expect(try await jsonMerged(original, payload) == result, "\(original) + \(patch)")
        #expect(try await jsonMerged(original, #"{"merge":\#(patch)}"#) == result, "\(original) + {merge: \(patch)}")
    }

    @Test func theReceiptCountsChangedPlacesAndAnEqualMergeWritesNothing() async throws {
        let changed = try await apply(
            JSONDocumentApplier(.mergePatch),
            try JSONParser.parse(#"{"a":2,"b":null,"c":{"d":1},"x":null}"#),
            to: #"{"a":1,"b":0}"#
        )
        #expect(writtenText(changed) == #"{"a":2,"c":{"d":1}}"#)
        #expect(changed.details == ["paths": 3])
        let same = try await apply(JSONDocumentApplier(.mergePatch), try JSONParser.parse(#"{"a":1.0,"gone":null}"#), to: #"{"a":1}"#)
        #expect(same.changes.isEmpty)
        #expect(same.details == ["paths": 0])
    }

    /// A member named `merge` is set by wrapping the merge document.
    @Test func aMemberNamedMergeIsSetThroughTheWrapper() async throws {
        #expect(try await jsonMerged(#"{"a":1}"#, #"{"merge":{"merge":true}}"#) == #"{"a":1,"merge":true}"#)
        #expect(try await jsonMerged(#"{"a":1}"#, #"{"merge":true,"b":2}"#) == #"{"a":1,"b":2,"merge":true}"#)
    }

    @Test func refusals() async throws {
        for payload in [#"[1]"#, #""text""#, "3"] {
            let operation = PatchOperation(role: "json_merge_patch", target: "f.json", payload: try JSONParser.parse(payload))
            let refusal = #expect(throws: ApplyError.self) { try JSONDocumentApplier(.mergePatch).validate(operation) }
            #expect(refusal?.reason == .invalidPatch)
            #expect(refusal?.message.contains("{\"merge\": …}") == true, "\(refusal?.message ?? "")")
        }
        let v2 = PatchOperation(role: "json_merge_patch", target: "f.json", payload: ["op": "json_merge_patch", "path": "f.json", "a": 1])
        let refusal = #expect(throws: ApplyError.self) { try JSONDocumentApplier(.mergePatch).validate(v2) }
        #expect(refusal?.message.contains("'merge'") == true)
        #expect(await jsonPatchError(JSONDocumentApplier(.mergePatch), #"{"a":1"#, #"{"a":2}"#)?.reason == .invalidJSON)
        #expect(await jsonPatchError(JSONDocumentApplier(.mergePatch), nil, #"{"a":2}"#)?.reason == .fileNotFound)
    }
}
