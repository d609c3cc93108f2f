import Testing

@testable import ApplierAPI

/// The payload check behind `roles.NAME.schema`: each keyword, the places and words of its messages, and
/// keywords it would not check refused when the schema is loaded.
@Suite struct PayloadSchemaTests {
    private func violations(_ schema: JSONValue, _ value: JSONValue) throws -> [String] {
        try PayloadSchema(schema).violations(of: value)
    }

    @Test func typesRequiredMembersAndUnknownMembers() throws {
        let schema: JSONValue = [
            "type": "object",
            "required": ["name", "count"],
            "additionalProperties": false,
            "properties": [
                "name": ["type": "string", "minLength": 2], "count": ["type": "integer"], "tags": ["type": "array", "items": ["type": "string"]],
            ],
        ]
        #expect(try violations(schema, ["name": "ok", "count": 3, "tags": ["a"]]).isEmpty)
        #expect(try violations(schema, "text") == ["payload: expected object, found string"])
        #expect(
            try violations(schema, ["name": "x", "count": 1.5, "tags": ["a", 2], "extra": true]) == [
                "payload/count: expected integer, found number",
                "payload: unknown member 'extra' (allowed: count, name, tags)",
                "payload/name: expected at least 2 characters, found 1",
                "payload/tags/1: expected string, found number",
            ]
        )
        #expect(try violations(schema, ["name": "ok"]) == ["payload: missing required member 'count' (has: name)"])
    }

    @Test func enumsConstantsNumbersAndPatterns() throws {
        let schema: JSONValue = [
            "properties": [
                "style": ["enum": ["tabs", "spaces"]],
                "version": ["const": 2],
                "width": ["type": "number", "minimum": 1, "exclusiveMaximum": 17, "multipleOf": 0.5],
                "branch": ["type": "string", "pattern": "^feature/[a-z-]+$"],
            ]
        ]
        #expect(try violations(schema, ["style": "tabs", "version": 2.0, "width": 16.5, "branch": "feature/dark-mode"]).isEmpty)
        #expect(
            try violations(schema, ["style": "both", "version": 3, "width": 17, "branch": "main"]) == [
                #"payload/branch: "main" does not match the pattern ^feature/[a-z-]+$"#,
                #"payload/style: expected one of "tabs", "spaces", found "both""#,
                "payload/version: expected 2, found 3",
                "payload/width: expected less than 17, found 17",
            ]
        )
        #expect(try violations(schema, ["width": 1.25]) == ["payload/width: expected a multiple of 0.5, found 1.25"])
    }

    @Test func combinatorsAndConditions() throws {
        let schema: JSONValue = [
            "oneOf": [["type": "string"], ["type": "object", "required": ["run"]]],
            "not": ["const": "rm -rf /"],
            "if": ["type": "object"],
            "then": ["properties": ["run": ["type": "string"]]],
        ]
        #expect(try violations(schema, "make").isEmpty)
        #expect(try violations(schema, ["run": "make"]).isEmpty)
        #expect(try violations(schema, ["run": 1]) == ["payload/run: expected string, found number"])
        #expect(try violations(schema, 5) == ["payload: matches none of the 2 allowed shapes (oneOf)"])
        #expect(try violations(schema, "rm -rf /") == ["payload: matches a shape that is not allowed (not)"])
        let both: JSONValue = ["oneOf": [["type": "number"], ["type": "integer"]]]
        #expect(try violations(both, 3) == ["payload: matches 2 shapes; exactly one is allowed (oneOf)"])
        #expect(
            try violations(["anyOf": [["required": ["a"]], ["required": ["b"]]]], ["c": 1]) == [
                "payload: matches none of the 2 allowed shapes (anyOf)"
            ]
        )
    }

    /// JSON Schema's patterns are ECMA-262's: `$` is the very end, not also before a final line break; lengths
    /// count code points; 1.0 is an integer.
    @Test func patternsLengthsAndIntegersAsJSONSchemaMeansThem() throws {
        let schema: JSONValue = [
            "properties": ["branch": ["pattern": "^[a-z]+$"], "mark": ["minLength": 2, "maxLength": 2], "count": ["type": "integer"]]
        ]
        #expect(try violations(schema, ["branch": "main\n"]) == [#"payload/branch: "main\n" does not match the pattern ^[a-z]+$"#])
        #expect(try violations(schema, ["branch": "main", "mark": "👍🏽", "count": 1.0]).isEmpty, "a thumb with a skin tone is two code points")
        #expect(try violations(schema, ["mark": "é"]) == [#"payload/mark: expected at least 2 characters, found 1"#])
    }

    @Test func keywordValuesOfTheWrongKindAreRefusedNotIgnored() {
        let wrong: [JSONValue] = [
            ["required": "name"], ["minimum": "3"], ["multipleOf": 0], ["type": "text"], ["maxLength": -1], ["uniqueItems": "yes"],
            ["properties": ["a": ["pattern": 5]]],
        ]
        for schema in wrong {
            #expect(throws: ApplyError.self, "\(schema.serialized)") { try PayloadSchema(schema) }
        }
    }

    @Test func membersWithSlashesAreEscapedInThePlace() throws {
        let schema: JSONValue = ["additionalProperties": ["type": "string"]]
        #expect(try violations(schema, ["a/b~c": 1]) == ["payload/a~1b~0c: expected string, found number"])
    }

    @Test func aSchemaUsingAKeywordThatWouldNotBeCheckedIsRefused() {
        for (schema, word) in [
            (["$ref": "#/$defs/x"] as JSONValue, "'$ref'"),
            (["properties": ["a": ["format": "email"]]], "'format' at /properties/a"),
            (["items": ["prefixItems": []]], "'prefixItems' at /items"),
        ] {
            #expect {
                try PayloadSchema(schema)
            } throws: { error in
                (error as? ApplyError)?.reason == .invalidPatch && (error as? ApplyError)?.message.contains(word) == true
            }
        }
        #expect(throws: ApplyError.self) { try PayloadSchema(["pattern": "(unclosed"]) }
        #expect(throws: ApplyError.self) { try PayloadSchema(["anyOf": []]) }
        #expect(throws: ApplyError.self) { try PayloadSchema(3) }
    }

    @Test func atMostTheLimitIsReported() throws {
        let schema: JSONValue = ["additionalProperties": false]
        let value: JSONValue = .object(Dictionary(uniqueKeysWithValues: (0..<30).map { ("k\($0)", .null) }))
        #expect(try PayloadSchema(schema).violations(of: value).count == 10)
        #expect(try PayloadSchema(schema).violations(of: value, limit: 3).count == 3)
    }
}
