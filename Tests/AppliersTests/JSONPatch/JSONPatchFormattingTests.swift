import ApplierAPI
import Appliers
import Testing

/// Both JSON roles keep a file's formatting: untouched values are copied byte for byte (numbers as
/// written, strings with their escapes), a changed container keeps its layout, new values follow the
/// file's indentation, separators and line breaks, and the bytes around the document stay.
@Suite struct JSONPatchFormattingTests {
    @Test func anIndentedFileKeepsItsLayout() async throws {
        let file = """
            {
              "name": "app",
              "version": "1.0.0",
              "tags": ["a", "b"],
              "price": 1.50,
              "deps": {
                "x": "^1"
              }
            }

            """
        let patch = """
            [{"op": "replace", "path": "/version", "value": "1.1.0"}, {"op": "add", "path": "/tags/-", "value": "c"},
             {"op": "add", "path": "/deps/y", "value": "^2"}, {"op": "add", "path": "/scripts", "value": {"build": "swift build", "test": "swift test"}}]
            """
        let expected = """
            {
              "name": "app",
              "version": "1.1.0",
              "tags": ["a", "b", "c"],
              "price": 1.50,
              "deps": {
                "x": "^1",
                "y": "^2"
              },
              "scripts": {
                "build": "swift build",
                "test": "swift test"
              }
            }

            """
        #expect(try await jsonPatched(file, patch) == expected)
    }

    @Test func tabsCarriageReturnsAndAByteOrderMarkStay() async throws {
        let file = "\u{FEFF}{\r\n\t\"a\": 1,\r\n\t\"b\": [\r\n\t\t1\r\n\t]\r\n}\r\n"
        let patch = #"[{"op":"add","path":"/b/-","value":2},{"op":"add","path":"/c","value":{"d":true}}]"#
        let expected = "\u{FEFF}{\r\n\t\"a\": 1,\r\n\t\"b\": [\r\n\t\t1,\r\n\t\t2\r\n\t],\r\n\t\"c\": {\r\n\t\t\"d\": true\r\n\t}\r\n}\r\n"
        #expect(try await jsonPatched(file, patch) == expected)
        let fourSpaces = "{\n    \"a\": [\n        {\n            \"id\": 1\n        }\n    ]\n}"
        #expect(
            try await jsonPatched(fourSpaces, #"[{"op":"add","path":"/a/-","value":{"id":2}}]"#)
                == "{\n    \"a\": [\n        {\n            \"id\": 1\n        },\n        {\n            \"id\": 2\n        }\n    ]\n}"
        )
    }

    /// Numbers keep their text (no `1.5` for `1.50`, no double for a 20-digit integer), strings their escapes.
    @Test func untouchedValuesKeepTheirText() async throws {
        let file = #"{"a": 1.50, "b": 12345678901234567890, "c": 1E+3, "s": "caf\u00e9 \/ x", "d": -0.0}"#
        #expect(
            try await jsonPatched(file, #"[{"op":"replace","path":"/d","value":5}]"#)
                == #"{"a": 1.50, "b": 12345678901234567890, "c": 1E+3, "s": "caf\u00e9 \/ x", "d": 5}"#
        )
        #expect(try await jsonPatched(file, #"[{"op":"test","path":"/b","value":12345678901234567890}]"#) == file)
    }

    /// A changed object keeps its keys' text; a changed one-line array its own spacing after commas.
    @Test func keysAndSpacingOfAChangedContainerStay() async throws {
        #expect(
            try await jsonPatched(#"{"caf\u00e9": "\u00e9", "n": 1}"#, #"[{"op":"replace","path":"/n","value":2}]"#)
                == #"{"caf\u00e9": "\u00e9", "n": 2}"#
        )
        #expect(
            try await jsonPatched(
                #"{"a": [1,2], "b": [3, 4], "c": [5]}"#,
                #"[{"op":"add","path":"/a/-","value":0},{"op":"add","path":"/b/-","value":0},{"op":"add","path":"/c/-","value":0}]"#
            )
                == #"{"a": [1,2,0], "b": [3, 4, 0], "c": [5, 0]}"#
        )
    }

    /// A value moved to another depth is indented for its new place; copied at the same depth, it is copied as written.
    @Test func movedValuesAreIndentedForTheirNewPlace() async throws {
        let file = "{\n  \"a\": {\n    \"b\": {\n      \"c\": [1,   2]\n    }\n  },\n  \"z\": 0\n}\n"
        #expect(
            try await jsonPatched(file, #"[{"op":"move","from":"/a/b","path":"/b"}]"#)
                == "{\n  \"a\": {},\n  \"z\": 0,\n  \"b\": {\n    \"c\": [1,   2]\n  }\n}\n"
        )
        #expect(
            try await jsonPatched(file, #"[{"op":"copy","from":"/a/b","path":"/a/d"}]"#)
                == "{\n  \"a\": {\n    \"b\": {\n      \"c\": [1,   2]\n    },\n    \"d\": {\n      \"c\": [1,   2]\n    }\n  },\n  \"z\": 0\n}\n"
        )
        #expect(try await jsonPatched(file, #"[{"op":"remove","path":"/a"}]"#) == "{\n  \"z\": 0\n}\n")
    }

    /// A file with nothing to go by is written compactly; its trailing line break stays.
    @Test func aFileWithNoLayoutIsCompact() async throws {
        #expect(try await jsonPatched("{}\n", #"[{"op":"add","path":"/a","value":{"b":[1,2]}}]"#) == "{\"a\":{\"b\":[1,2]}}\n")
        #expect(try await jsonPatched("  [ ]  ", #"[{"op":"add","path":"/0","value":"x"}]"#) == #"  ["x"]  "#)
    }

    /// RFC 7396 section 3's example on an indented file: the replaced `tags` array stays on one line.
    @Test func aMergeKeepsTheLayoutToo() async throws {
        let file = """
            {
              "title": "Goodbye!",
              "author": {
                "givenName": "John",
                "familyName": "Doe"
              },
              "tags": ["example", "sample"],
              "content": "This will be unchanged"
            }

            """
        let patch = #"{"title": "Hello!", "phoneNumber": "+01-123-456-7890", "author": {"familyName": null}, "tags": ["example"]}"#
        let expected = """
            {
              "title": "Hello!",
              "author": {
                "givenName": "John"
              },
              "tags": ["example"],
              "content": "This will be unchanged",
              "phoneNumber": "+01-123-456-7890"
            }

            """
        #expect(try await jsonMerged(file, patch) == expected)
    }
}
