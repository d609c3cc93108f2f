import ApplierAPI
import Appliers
import Testing

/// `json_patch`: RFC 6902's examples, its error cases with their reasons and messages, atomicity and the
/// file's formatting kept.
@Suite struct JSONPatchApplierTests {
    /// RFC 6902 Appendix A: document, patch, result (`nil`: the patch fails with `no_match`). Results are the
    /// exact bytes: new members go at the end, the rest of the file is copied.
    static let appendixA: [(name: String, document: String, patch: String, result: String?)] = [
        ("A.1 adding an object member", #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#, #"{"foo":"bar","baz":"qux"}"#),
        (
            "A.2 adding an array element", #"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#,
            #"{"foo":["bar","qux","baz"]}"#
        ),
        ("A.3 removing an object member", #"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#, #"{"foo":"bar"}"#),
        ("A.4 removing an array element", #"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#, #"{"foo":["bar","baz"]}"#),
        ("A.5 replacing a value", #"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#, #"{"baz":"boo","foo":"bar"}"#),
        (
            "A.6 moving a value", #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
            #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#, #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#
        ),
        (
            "A.7 moving an array element", #"{"foo":["all","grass","cows","eat"]}"#, #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#,
            #"{"foo":["all","cows","eat","grass"]}"#
        ),
        (
            "A.8 testing a value: success", #"{"baz":"qux","foo":["a",2,"c"]}"#,
            #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#, #"{"baz":"qux","foo":["a",2,"c"]}"#
        ),
        ("A.9 testing a value: error", #"{"baz":"qux"}"#, #"[{"op":"test","path":"/baz","value":"bar"}]"#, nil),
        (
            "A.10 adding a nested member object", #"{"foo":"bar"}"#, #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#,
            #"{"foo":"bar","child":{"grandchild":{}}}"#
        ),
        (
            "A.11 ignoring unrecognized elements", #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#,
            #"{"foo":"bar","baz":"qux"}"#
        ),
        ("A.12 adding to a nonexistent target", #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#, nil),
        ("A.14 ~ escape ordering", #"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":10}]"#, #"{"/":9,"~1":10}"#),
        ("A.15 comparing strings and numbers", #"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":"10"}]"#, nil),
        (
            "A.16 adding an array value", #"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#,
            #"{"foo":["bar",["abc","def"]]}"#
        ),
    ]

    @Test(arguments: appendixA.indices)
    func rfc6902AppendixA(index: Int) async throws {
        let (name, document, patch, result) = Self.appendixA[index]
        if let result {
            #expect(try await jsonPatched(document, patch) == result, "\(name)")
        } else {
            let error = await jsonPatchError(JSONDocumentApplier(.patch), document, patch)
            #expect(error?.reason == .noMatch, "\(name): \(String(describing: error))")
        }
    }

    /// A.13: a duplicate `op` in one operation is refused by the envelope parser, before any role sees it.
    @Test func rfc6902A13DuplicateMembersAreRefused() {
        let text = #"{"id":"a13","role":"json_patch","target_file":"f.json","patch":[{"op":"add","path":"/baz","value":"qux","op":"remove"}]}"#
        let refusal = #expect(throws: ApplyError.self) { try Patch.parse(json: Array(text.utf8)) }
        #expect(refusal?.reason == .invalidJSON)
    }

    @Test func theReceiptCountsTheOperationsAndUnchangedWritesNothing() async throws {
        let changed = try await apply(
            JSONDocumentApplier(.patch),
            try JSONParser.parse(#"{"operations":[{"op":"add","path":"/b","value":2}]}"#),
            to: #"{"a":1}"#
        )
        #expect(changed.details == ["operations": 1])
        #expect(writtenText(changed) == #"{"a":1,"b":2}"#)
        let same = try await apply(
            JSONDocumentApplier(.patch),
            try JSONParser.parse(#"[{"op":"replace","path":"/a","value":1.0},{"op":"test","path":"/a","value":1}]"#),
            to: #"{"a":1.00}"#
        )
        #expect(same.changes.isEmpty)
        #expect(same.details == ["operations": 2])
    }

    /// RFC 6901: `~1` is `/`, `~0` is `~`, decoded in that order; `-` appends; `""` is a key too.
    @Test func pointersFollowRFC6901() async throws {
        #expect(
            try await jsonPatched(
                #"{"a/b":1,"m~n":2,"":3}"#,
                #"[{"op":"replace","path":"/a~1b","value":10},{"op":"replace","path":"/m~0n","value":20},{"op":"replace","path":"/","value":30}]"#
            ) == #"{"a/b":10,"m~n":20,"":30}"#
        )
        #expect(
            try await jsonPatched(
                #"{"a":[1]}"#,
                #"[{"op":"add","path":"/a/-","value":2},{"op":"add","path":"/a/0","value":0},{"op":"add","path":"/a/3","value":3}]"#
            ) == #"{"a":[0,1,2,3]}"#
        )
        #expect(try await jsonPatched(#"{"a":1}"#, #"[{"op":"replace","path":"","value":[true]}]"#) == "[true]")
        #expect(try await jsonPatched(#"{"a":1}"#, #"[{"op":"add","path":"","value":{"b":null}}]"#) == #"{"b":null}"#)
        #expect(try await jsonPatched(#"{"-":1}"#, #"[{"op":"replace","path":"/-","value":2}]"#) == #"{"-":2}"#)
        #expect(try await jsonPatched(#"{"01":"key"}"#, #"[{"op":"replace","path":"/01","value":"still a key"}]"#) == #"{"01":"still a key"}"#)
    }

    @Test func moveAndCopy() async throws {
        #expect(
            try await jsonPatched(#"{"a":{"b":1},"c":[]}"#, #"[{"op":"copy","from":"/a","path":"/c/-"},{"op":"move","from":"/a/b","path":"/a/d"}]"#)
                == #"{"a":{"d":1},"c":[{"b":1}]}"#
        )
        #expect(try await jsonPatched(#"{"a":1}"#, #"[{"op":"move","from":"/a","path":"/a"}]"#) == #"{"a":1}"#)
        #expect(try await jsonPatched(#"{"a":{"b":1}}"#, #"[{"op":"move","from":"/a/b","path":"/a"}]"#) == #"{"a":1}"#)
        #expect(try await jsonPatched(#"{"a":{"b":1}}"#, #"[{"op":"copy","from":"/a","path":"/a/c"}]"#) == #"{"a":{"b":1,"c":{"b":1}}}"#)
        // `add` on an existing member replaces it in place: the member keeps its position.
        #expect(try await jsonPatched(#"{"a":1,"b":2}"#, #"[{"op":"add","path":"/a","value":3}]"#) == #"{"a":3,"b":2}"#)
    }

    /// `test` compares values: numbers by value (`1 == 1.0 == 10e-1`, exactly beyond a double's precision),
    /// objects in any order, strings code point by code point, no type coercion.
    @Test func testComparesValues() async throws {
        let file = #"{"n":1,"big":12345678901234567891,"o":{"x":1,"y":[1,2]},"s":"é","t":true}"#
        for (path, value) in [("/n", "1.0"), ("/n", "10e-1"), ("/o", #"{"y":[1.0,2],"x":1}"#), ("/s", #""\u00e9""#), ("/t", "true")] {
            #expect(try await jsonPatched(file, #"[{"op":"test","path":"\#(path)","value":\#(value)}]"#) == file, "\(path) \(value)")
        }
        for (path, value) in [
            ("/n", "true"), ("/n", #""1""#), ("/o", #"{"x":1}"#), ("/o/y", "[2,1]"), ("/s", #""e\u0301""#), ("/t", "1"), ("/big", "null"),
        ] {
            let error = await jsonPatchError(JSONDocumentApplier(.patch), file, #"[{"op":"test","path":"\#(path)","value":\#(value)}]"#)
            #expect(error?.reason == .noMatch, "\(path) \(value)")
        }
    }

    @Test func failuresSayWhichOperationWhichPointerAndWhatIsThere() async throws {
        let file = #"{"a":{"b":[1,2,3]},"name":"x","x/y":{}}"#
        let cases: [(patch: String, fragments: [String])] = [
            (
                #"[{"op":"test","path":"/a/b/0","value":1},{"op":"test","path":"/name","value":"y"}]"#,
                ["operation 1 (test /name)", #"the value is "x", not "y""#]
            ),
            (#"[{"op":"remove","path":"/a/c"}]"#, ["operation 0 (remove /a/c)", #"/a has no member "c""#, #"its members are "b""#]),
            (#"[{"op":"replace","path":"/a/b/3","value":0}]"#, ["/a/b has 3 elements, so no index 3", "0 to 2"]),
            (#"[{"op":"add","path":"/a/b/4","value":0}]"#, ["no index 4", "3 or '-' adds at the end"]),
            (#"[{"op":"add","path":"/a/b/01","value":0}]"#, [#""01" is not an array index"#]),
            (#"[{"op":"remove","path":"/a/b/-"}]"#, ["'-' names the end of /a/b", "only 'add'"]),
            (#"[{"op":"add","path":"/name/first","value":0}]"#, [#"/name is a string ("x")"#]),
            (#"[{"op":"copy","from":"/nope","path":"/c"}]"#, ["operation 0 (copy /c)", #"the document has no member "nope""#]),
            (#"[{"op":"remove","path":"/Name"}]"#, [#""name" differs only in case"#]),
            (
                #"[{"op":"remove","path":"/x/y"}]"#,
                [#"the document has no member "x""#, #""x/y" holds '/': in a pointer it is written '~1', as in "/x~1y""#]
            ),
        ]
        for (patch, fragments) in cases {
            let error = await jsonPatchError(JSONDocumentApplier(.patch), file, patch)
            #expect(error?.reason == .noMatch, "\(patch)")
            for fragment in fragments { #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "applied") lacks \(fragment)") }
        }
    }

    /// What a message quotes of a value is bounded, however large the value.
    @Test func messagesQuoteLargeValuesInPart() async throws {
        let big = "[" + (0..<5000).map(String.init).joined(separator: ",") + "]"
        let error = await jsonPatchError(JSONDocumentApplier(.patch), #"{"a":\#(big)}"#, #"[{"op":"test","path":"/a","value":[]}]"#)
        #expect(error?.reason == .noMatch)
        #expect((error?.message.utf8.count ?? .max) < 400)
        #expect(error?.message.contains("…") == true)
        let long = String(repeating: "k", count: 5000)
        let missing = await jsonPatchError(JSONDocumentApplier(.patch), #"{"\#(long)":1}"#, #"[{"op":"remove","path":"/\#(long)/\#(long)"}]"#)
        #expect(missing?.reason == .noMatch)
        #expect((missing?.message.utf8.count ?? .max) < 600, "\(missing?.message.utf8.count ?? 0) bytes")
    }

    @Test func malformedOperationsAreRefusedAtIntake() {
        let cases: [(payload: String, fragment: String)] = [
            (#"{"op":"add","path":"/a","value":1}"#, "the payload is an array of RFC 6902 operations"),
            (#"{"operations":{}}"#, "'operations' must be an array"),
            (#"[1]"#, "json_patch operation 0: an operation is an object"),
            (#"[{"path":"/a"}]"#, "'op' must be a string"),
            (#"[{"op":"update","path":"/a","value":1}]"#, #"unknown op "update""#),
            (#"[{"op":"test","path":"/a","value":1},{"op":"add","path":"a","value":1}]"#, "operation 1: 'path': \"a\" is not a JSON Pointer"),
            (#"[{"op":"remove","path":"/a~2"}]"#, "'~' followed by '2'"),
            (#"[{"op":"remove","path":"/a~"}]"#, "lone '~'"),
            (#"[{"op":"add","path":"/a"}]"#, "'add' needs 'value'"),
            (#"[{"op":"replace","path":"/a"}]"#, "'replace' needs 'value'"),
            (#"[{"op":"test","path":"/a"}]"#, "'test' needs 'value'"),
            (#"[{"op":"move","path":"/a"}]"#, "'move' needs 'from'"),
            (#"[{"op":"copy","path":"/a","from":5}]"#, "'copy' needs 'from'"),
            (#"[{"op":"remove","path":""}]"#, "would remove the whole document"),
            (#"[{"op":"move","from":"/a","path":"/a/b"}]"#, "into itself"),
            (#"[{"op":"move","from":"","path":"/a"}]"#, "into itself"),
        ]
        for (payload, fragment) in cases {
            let operation = PatchOperation(role: "json_patch", target: "f.json", payload: try! JSONParser.parse(payload))
            let refusal = #expect(throws: ApplyError.self, "\(payload)") { try JSONDocumentApplier(.patch).validate(operation) }
            #expect(refusal?.reason == .invalidPatch, "\(payload)")
            #expect(refusal?.message.contains(fragment) == true, "\(refusal?.message ?? "accepted") lacks \(fragment)")
        }
        let fine = PatchOperation(role: "json_patch", target: "f.json", payload: [["op": "add", "path": "/a", "value": .null]])
        #expect(throws: Never.self) { try JSONDocumentApplier(.patch).validate(fine) }
    }

    /// One failing operation anywhere and nothing is written, not even what the operations before it did.
    @Test func aFailingOperationChangesNothing() async throws {
        let result = await failureReason {
            _ = try await apply(
                JSONDocumentApplier(.patch),
                try JSONParser.parse(#"[{"op":"add","path":"/b","value":2},{"op":"remove","path":"/a"},{"op":"test","path":"/a","value":1}]"#),
                to: #"{"a":1}"#
            )
        }
        #expect(result == .noMatch)
    }

    @Test func theFileMustBeJSON() async throws {
        let missing = await jsonPatchError(JSONDocumentApplier(.patch), nil, "[]")
        #expect(missing?.reason == .fileNotFound)
        let broken = await jsonPatchError(JSONDocumentApplier(.patch), "{\n  \"a\": 1,\n}\n", "[]")
        #expect(broken?.reason == .invalidJSON)
        #expect(broken?.message.contains("f.txt is not a JSON document (line 3, column 1") == true, "\(broken?.message ?? "")")
        let duplicate = await jsonPatchError(JSONDocumentApplier(.patch), #"{"a":1,"a":2}"#, "[]")
        #expect(duplicate?.reason == .invalidJSON)
        #expect(duplicate?.message.contains("duplicate key") == true)
        #expect(await jsonPatchError(JSONDocumentApplier(.patch), "", "[]")?.reason == .invalidJSON)
    }

    /// A file nested as deep as the parser allows is read, edited and written back.
    @Test func aDeeplyNestedFileIsEdited() async throws {
        let depth = JSONParser.maximumDepth
        let file = String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
        let inner = "/" + Array(repeating: "0", count: depth - 1).joined(separator: "/")
        let result = try await jsonPatched(file, #"[{"op":"replace","path":"\#(inner)/0","value":2},{"op":"add","path":"/-","value":{}}]"#)
        #expect(result == String(repeating: "[", count: depth) + "2" + String(repeating: "]", count: depth - 1) + ",{}]")
        let tooDeep = await jsonPatchError(JSONDocumentApplier(.patch), file, #"[{"op":"add","path":"\#(inner)/-","value":[]}]"#)
        #expect(tooDeep?.reason == .limitExceeded)
    }

    /// Copies cannot blow the document up past the file size limit (each copy here doubles it), nor nest it
    /// deeper than the host's parser reads.
    @Test func copiesAreBounded() async throws {
        let doubling = (0..<40).map { _ in #"{"op":"copy","from":"","path":"/a/-"}"# }.joined(separator: ",")
        let large = await failure(#"{"a":[1,2,3,4,5,6,7,8]}"#, "[\(doubling)]", limits: PatchLimits(maxFileBytes: 100_000))
        #expect(large?.reason == .limitExceeded)
        #expect(large?.message.contains("file size limit") == true, "\(String(describing: large))")
        let nesting = (0..<600).map { _ in #"{"op":"copy","from":"","path":"/a"}"# }.joined(separator: ",")
        let deep = await failure(#"{"a":1}"#, "[\(nesting)]", limits: .default)
        #expect(deep?.reason == .limitExceeded)
        #expect(deep?.message.contains("deeper than 512") == true, "\(String(describing: deep))")
    }

    private func failure(_ file: String, _ payload: String, limits: PatchLimits) async -> ApplyError? {
        do {
            let operation = PatchOperation(role: "json_patch", target: "f.json", payload: try JSONParser.parse(payload))
            let patch = Patch(
                id: "t",
                role: "json_patch",
                shape: .single,
                targetFile: "f.json",
                description: nil,
                envelope: [:],
                operations: [operation]
            )
            _ = try await JSONDocumentApplier(.patch).apply(
                operation,
                files: FileSet(files: ["f.json": FileContent(bytes: Array(file.utf8))], targetPath: "f.json"),
                context: ApplyContext(patch: patch, workspace: "/w", limits: limits)
            )
            return nil
        } catch {
            return error as? ApplyError
        }
    }
}
