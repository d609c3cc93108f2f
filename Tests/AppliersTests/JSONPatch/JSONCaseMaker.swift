import ApplierAPI

/// A generated case for the JSON roles: a document, what the reference applies, what GhostRunner is sent.
struct JSONCase {
    /// The document.
    var document: JSONValue
    /// The operations array or merge document, as the reference takes it.
    var patch: JSONValue
    /// The role's payload.
    var payload: JSONValue
}

/// Makes ``JSONCase``s from a seeded generator: documents of awkward keys and values, and operations that
/// mostly name places that exist (so most apply), some that do not, and a few malformed ones.
struct JSONCaseMaker {
    var random: SearchReplacePropertyTests.Generator

    /// No `-`: jsonpatch refuses `replace` of an object member named `-` (RFC 6901 gives `-` a meaning in arrays only).
    static let keys = ["a", "b", "c", "a/b", "m~n", "~1", "", "é", "0", "01", "x y", "\"q\""]
    static let strings = ["", "x", "é", "ü\u{1F600}", "a/b", "~", "\"\\", "line\nbreak", "10"]
    /// No 0 or 1: Python's `True == 1` would make the reference's `test` disagree with RFC 6902.
    static let numbers: [JSONValue] = [2, -3, 4.5, 100, 2.0e3, -0.25, 12_345_678]

    mutating func pick<T>(_ items: [T]) -> T { items[random.next(items.count)] }

    mutating func value(depth: Int) -> JSONValue {
        switch random.next(depth > 0 ? 10 : 6) {
        case 0: return .null
        case 1: return .bool(random.next(2) == 0)
        case 2, 3: return pick(Self.numbers)
        case 4, 5: return .string(pick(Self.strings))
        case 6, 7: return .array((0..<random.next(4)).map { _ in value(depth: depth - 1) })
        default: return object(depth: depth - 1, members: random.next(4))
        }
    }

    mutating func object(depth: Int, members: Int) -> JSONValue {
        var result: [String: JSONValue] = [:]
        for _ in 0..<members { result[pick(Self.keys)] = value(depth: depth) }
        return .object(result)
    }

    /// Every pointer in `value` with the value it names.
    static func places(in value: JSONValue, at pointer: String = "") -> [(pointer: String, value: JSONValue)] {
        var result = [(pointer, value)]
        if let members = value.objectValue {
            for key in members.keys.sorted() { result += places(in: members[key]!, at: pointer + "/" + escape(key)) }
        } else if let elements = value.arrayValue {
            for (index, element) in elements.enumerated() { result += places(in: element, at: pointer + "/\(index)") }
        }
        return result
    }

    static func escape(_ key: String) -> String { key.replacing("~", with: "~0").replacing("/", with: "~1") }

    /// A place that may not exist yet: in a container of the document (a new key, an index at or past the
    /// end, `-`, a leading zero), or under a place that is not there.
    mutating func newPlace(in places: [(pointer: String, value: JSONValue)]) -> String {
        let (pointer, value) = pick(places)
        if let elements = value.arrayValue { return pointer + "/" + pick(["\(elements.count)", "-", "\(elements.count + 1)", "01", "x"]) }
        if value.objectValue != nil { return pointer + "/" + Self.escape(pick(Self.keys)) }
        return pick(["/zz/q", pointer + "/a", "/-"])
    }

    mutating func patchCase() -> JSONCase {
        let document = object(depth: 3, members: 1 + random.next(5))
        let places = Self.places(in: document)
        let existing = places.filter { !$0.pointer.isEmpty }
        var operations: [JSONValue] = []
        for _ in 0..<(1 + random.next(3)) {
            let op = pick(["add", "remove", "replace", "move", "copy", "test"])
            var path = random.next(10) < 7 ? pick(places).pointer : newPlace(in: places)
            if op == "add" && path.isEmpty { path = "/new" }
            var operation: [String: JSONValue] = ["op": .string(op), "path": .string(path)]
            switch op {
            case "add", "replace": operation["value"] = value(depth: 2)
            case "test": operation["value"] = random.next(2) == 0 ? (places.first { $0.pointer == path }?.value ?? .null) : value(depth: 1)
            case "move", "copy":
                let from = existing.isEmpty ? "/a" : pick(existing).pointer
                operation["from"] = .string(from)
                if op == "move" && path.hasPrefix(from + "/") { operation["op"] = "copy" }
            default: break
            }
            switch random.next(80) {
            case 0: operation["value"] = nil
            case 1: operation["op"] = "update"
            case 2: operation["path"] = "a"
            case 3: operation["path"] = "/a~2"
            default: break
            }
            operations.append(.object(operation))
        }
        let patch = JSONValue.array(operations)
        return JSONCase(document: document, patch: patch, payload: random.next(2) == 0 ? patch : ["operations": patch])
    }

    mutating func mergeCase() -> JSONCase {
        let document = random.next(8) == 0 ? value(depth: 2) : object(depth: 3, members: 1 + random.next(5))
        var patch = random.next(8) == 0 ? value(depth: 2) : object(depth: 3, members: 1 + random.next(4))
        if var members = patch.objectValue, !members.isEmpty {
            // Nulls remove members: point some at members the document has.
            for key in members.keys.sorted() where random.next(3) == 0 { members[key] = .null }
            patch = .object(members)
        }
        let isPlainObject = patch.objectValue.map { $0.keys.sorted() != ["merge"] } ?? false
        return JSONCase(document: document, patch: patch, payload: isPlainObject && random.next(2) == 0 ? patch : ["merge": patch])
    }
}
