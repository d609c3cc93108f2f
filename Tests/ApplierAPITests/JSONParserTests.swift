import ApplierAPI
import Testing

@Suite struct JSONParserTests {
    /// A UTF-8 byte-order mark before the document (Windows editors write one) is skipped, not an error.
    @Test func aByteOrderMarkIsSkipped() throws {
        let value = try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array(#"{"id": "bom"}"#.utf8))
        #expect(value["id"] == "bom")
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0xEF, 0xBB] + Array("{}".utf8)) }
    }

    /// A key twice in one object is refused, naming it: parsers disagree on which value it means, so a
    /// patch would not mean the same to every tool that reads it.
    @Test func aDuplicateKeyIsRefusedWithItsName() throws {
        do {
            _ = try JSONParser.parse(#"{"id": "a", "patch": {"replacement": "x", "replacement": "y"}}"#)
            Issue.record("a duplicate key was accepted")
        } catch {
            #expect(error.problem.contains("duplicate key \"replacement\""))
            #expect(error.column == 43)
        }
        #expect(try JSONParser.parse(#"{"a": {"k": 1}, "b": {"k": 2}}"#)["b"]?["k"] == 2)
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#"{"a": [1, 2.5, -3e2], "b": true, "c": null, "d": "x\"y\u00e9\ud83d\ude00", "e": {}}"#)
        #expect(value["a"] == [1, 2.5, -300])
        #expect(value["b"] == .bool(true))
        #expect(value["c"] == .null)
        #expect(value["d"] == .string("x\"yé😀"))
        #expect(value["e"] == .object([:]))
    }

    @Test func keepsBooleansApartFromNumbers() throws {
        let value = try JSONParser.parse("[true, 1, false, 0]")
        #expect(value == [.bool(true), .number(1), .bool(false), .number(0)])
    }

    @Test func reportsLineAndColumn() {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse("{\n  \"a\": 1\n  \"b\": 2\n}") }
        #expect(error?.line == 3)
        #expect(error?.column == 3)
        #expect(error?.description.contains("expected ',' or '}'") == true)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "01", "1.", "\"\\x\"", "\"a\nb\"", "[1] [2]", "\"\\ud800\"", "NaN"])
    func rejectsMalformedInput(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8InStrings() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func boundsNestingDepth() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? JSONParser.parse(fine)) != nil)
    }

    @Test func serialisesWithSortedKeysAndEscapes() throws {
        let value: JSONValue = ["b": "line\nbreak \"q\" \u{1}", "a": [1, 2.5, true, nil]]
        #expect(value.serialized == #"{"a":[1,2.5,true,null],"b":"line\nbreak \"q\" \u0001"}"#)
        #expect(try JSONParser.parse(value.serialized) == value)
    }
}
