import ApplierAPI

/// A JSON value as a file wrote it: object members keep the file's order, numbers keep their text
/// (`1.50` stays `1.50`, a 20-digit integer stays exact), and a value read from the file remembers
/// where its text was, so that ``JSONDocumentWriter`` copies an untouched value back byte for byte.
struct JSONNode: Sendable {
    /// One member of an object; `keyText` is where the file has the key's text (`nil` for a new member).
    typealias Member = (key: String, value: JSONNode, keyText: Range<Int>?)

    /// What the value is.
    enum Kind: Sendable {
        /// `null`.
        case null
        /// `true` or `false`.
        case bool(Bool)
        /// A number, as its JSON text.
        case number(String)
        /// A string.
        case string(String)
        /// An array.
        case array([JSONNode])
        /// An object, members in order.
        case object([Member])
    }

    /// The value.
    var kind: Kind
    /// Where the file holds this value's text; `nil` for a new value, and for a container once anything
    /// in it changed.
    var text: JSONSourceText?
    /// How the file laid out this container's members; kept when the container changes.
    var layout: JSONContainerLayout?

    /// A value with no text in the file.
    init(_ kind: Kind, text: JSONSourceText? = nil, layout: JSONContainerLayout? = nil) {
        self.kind = kind
        self.text = text
        self.layout = layout
    }

    /// A value from a patch. Its object members are sorted by key: the envelope parser keeps no order.
    init(patch value: JSONValue) {
        switch value {
        case .null: self.init(.null)
        case .bool(let flag): self.init(.bool(flag))
        case .number: self.init(.number(value.serialized))
        case .string(let string): self.init(.string(string))
        case .array(let elements): self.init(.array(elements.map { JSONNode(patch: $0) }))
        case .object(let members): self.init(.object(members.keys.sorted().map { ($0, JSONNode(patch: members[$0]!), nil) }))
        }
    }

    /// This value, laid out like `old` (the value it takes the place of) when this one is new and both are
    /// arrays or both objects: a replaced `["a", "b"]` stays on one line.
    func laidOut(like old: JSONNode) -> JSONNode {
        guard text == nil, layout == nil, let layout = old.layout else { return self }
        switch (kind, old.kind) {
        case (.array, .array), (.object, .object): return JSONNode(kind, layout: layout)
        default: return self
        }
    }

    /// The nesting depth: 0 for a scalar, 1 for a container of scalars.
    var depth: Int {
        switch kind {
        case .array(let elements): 1 + (elements.map(\.depth).max() ?? 0)
        case .object(let members): 1 + (members.map(\.value.depth).max() ?? 0)
        default: 0
        }
    }

    /// How many values this one holds, itself included, counting no further than `limit`.
    func count(upTo limit: Int) -> Int {
        var total = 1
        switch kind {
        case .array(let elements):
            for element in elements where total <= limit { total += element.count(upTo: limit - total) }
        case .object(let members):
            for member in members where total <= limit { total += member.value.count(upTo: limit - total) }
        default: break
        }
        return total
    }

    /// The JSON type's name, for messages.
    var typeName: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
