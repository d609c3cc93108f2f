import ApplierAPI

/// One RFC 6902 operation, checked: `op` is one of the six, pointers parse, `value` or `from` is there
/// when the op needs it, nothing removes the whole document or moves a value into itself.
struct JSONPatchStep: Sendable {
    /// What the operation does.
    enum Action: Sendable {
        /// `add`: insert into an array, or set an object member.
        case add(JSONValue)
        /// `remove`: the value must exist.
        case remove
        /// `replace`: the value must exist.
        case replace(JSONValue)
        /// `move`: remove at `from`, then add at `path`.
        case move(from: JSONPointer)
        /// `copy`: add at `path` the value at `from`.
        case copy(from: JSONPointer)
        /// `test`: the value at `path` must equal this one.
        case test(JSONValue)
    }

    /// What it does.
    let action: Action
    /// The `path` member.
    let path: JSONPointer
    /// Its position in the operations array, from 0.
    let index: Int
    /// The `op` member.
    let op: String

    /// The operations' names, as RFC 6902 spells them.
    static let names = ["add", "remove", "replace", "move", "copy", "test"]

    /// Checks one element of the operations array.
    /// - Throws: ``Reason/invalidPatch`` naming the operation's index and what is wrong.
    init(_ json: JSONValue, index: Int) throws(ApplyError) {
        self.index = index
        func invalid(_ problem: String) -> ApplyError { ApplyError(.invalidPatch, "json_patch operation \(index): \(problem)") }
        guard let members = json.objectValue else {
            throw invalid("an operation is an object such as {\"op\": \"add\", \"path\": \"/a\", \"value\": 1}, not \(json.typeName)")
        }
        guard let op = members["op"]?.stringValue else {
            throw invalid("'op' must be a string, one of \(Self.names.joined(separator: ", ")) (the operation has \(Self.listing(members)))")
        }
        guard Self.names.contains(op) else { throw invalid("unknown op \(op.quoted()): use one of \(Self.names.joined(separator: ", "))") }
        self.op = op
        func pointer(_ key: String) throws(ApplyError) -> JSONPointer {
            guard let text = members[key]?.stringValue else {
                throw invalid("'\(op)' needs '\(key)', a JSON Pointer string such as \"/a/0\" (the operation has \(Self.listing(members)))")
            }
            do {
                return try JSONPointer(text)
            } catch {
                throw invalid("'\(key)': \(error.message)")
            }
        }
        func value() throws(ApplyError) -> JSONValue {
            // A `value` of null is a value; only a missing member is missing.
            guard let value = members["value"] else { throw invalid("'\(op)' needs 'value' (the operation has \(Self.listing(members)))") }
            return value
        }
        path = try pointer("path")
        switch op {
        case "add": action = .add(try value())
        case "remove":
            guard !path.tokens.isEmpty else { throw invalid("'remove' of \"\" would remove the whole document; use 'replace' to change it") }
            action = .remove
        case "replace": action = .replace(try value())
        case "test": action = .test(try value())
        case "copy": action = .copy(from: try pointer("from"))
        default:
            let from = try pointer("from")
            guard !path.isInside(from) else {
                throw invalid("'move' from \(from.description.quoted()) to \(path.description.quoted()) would move a value into itself")
            }
            action = .move(from: from)
        }
    }

    /// `operation 2 (replace /a/b)`: how messages name the operation.
    var label: String { "operation \(index) (\(op) \(path.description.isEmpty ? "\"\"" : path.description.bounded()))" }

    private static func listing(_ members: [String: JSONValue]) -> String {
        members.isEmpty ? "no members" : members.keys.sorted().prefix(8).map { $0.quoted(limit: 30) }.joined(separator: ", ")
    }
}
