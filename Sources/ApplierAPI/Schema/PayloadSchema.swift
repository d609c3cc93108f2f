/// A JSON Schema (2020-12) for a role's payload, checked when a patch is accepted: an exec plugin's
/// `roles.NAME.schema`, so a payload the plugin could only refuse is answered 422 at once.
///
/// The keywords a payload schema needs are supported; a schema using any other (`$ref`, `format`,
/// `dependentSchemas`, …) is refused when it is loaded, naming the keyword, rather than silently not
/// checked. Supported: `type`, `enum`, `const`, `properties`, `required`, `additionalProperties`,
/// `items`, `minItems`, `maxItems`, `uniqueItems`, `minProperties`, `maxProperties`, `minLength`,
/// `maxLength`, `pattern` (PCRE2), `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
/// `multipleOf`, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, and the annotations (`$schema`,
/// `$id`, `$comment`, `title`, `description`, `default`, `examples`, `deprecated`, `readOnly`,
/// `writeOnly`).
public struct PayloadSchema: Sendable, Hashable {
    /// The schema document.
    public let document: JSONValue

    /// Keywords that check nothing.
    static let annotations: Set<String> = [
        "$schema", "$id", "$comment", "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
    ]
    /// Keywords that hold one subschema.
    static let singleSubschemas: Set<String> = ["additionalProperties", "items", "not", "if", "then", "else"]
    /// Keywords that hold a list of subschemas.
    static let listSubschemas: Set<String> = ["allOf", "anyOf", "oneOf"]
    /// Keywords that hold a value to compare with.
    static let assertions: Set<String> = [
        "type", "enum", "const", "required", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties", "minLength",
        "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    ]

    /// Checks that `document` is a schema this type can apply in full.
    /// - Throws: ``Reason/invalidPatch`` naming the place and the keyword or value that is not supported.
    public init(_ document: JSONValue) throws(ApplyError) {
        try Self.check(document, at: "")
        self.document = document
    }

    /// Every way `value` breaks the schema (empty when it conforms), each as `/json/pointer: what is wrong`,
    /// at most `limit` of them.
    public func violations(of value: JSONValue, limit: Int = 10) -> [String] {
        var found = SchemaEvaluation.Findings(limit: limit)
        SchemaEvaluation.check(value, against: document, at: "", into: &found)
        return found.list
    }

    private static func check(_ schema: JSONValue, at place: String) throws(ApplyError) {
        if schema.boolValue != nil { return }
        guard let members = schema.objectValue else {
            throw ApplyError(.invalidPatch, "schema\(place.isEmpty ? "" : " at \(place)") must be an object or a boolean")
        }
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            let inner = "\(place)/\(key)"
            if annotations.contains(key) || assertions.contains(key) {
                if key == "pattern" {
                    guard let pattern = value.stringValue else { throw ApplyError(.invalidPatch, "schema \(inner) must be a string") }
                    do {
                        _ = try CompiledPattern(pattern, options: PatternOptions())
                    } catch {
                        throw ApplyError(.invalidPatch, "schema \(inner): \(error.message)")
                    }
                }
                continue
            }
            if singleSubschemas.contains(key) {
                try check(value, at: inner)
            } else if listSubschemas.contains(key) {
                guard let list = value.arrayValue, !list.isEmpty else { throw ApplyError(.invalidPatch, "schema \(inner) must be a non-empty array") }
                for (index, subschema) in list.enumerated() { try check(subschema, at: "\(inner)/\(index)") }
            } else if key == "properties" {
                guard let properties = value.objectValue else { throw ApplyError(.invalidPatch, "schema \(inner) must be an object") }
                for (name, subschema) in properties.sorted(by: { $0.key < $1.key }) { try check(subschema, at: "\(inner)/\(name)") }
            } else {
                throw ApplyError(
                    .invalidPatch,
                    "schema keyword '\(key)' at \(place.isEmpty ? "the top" : place) is not supported by GhostRunner's payload check "
                        + "(supported: \((assertions.union(singleSubschemas).union(listSubschemas).union(["properties"])).sorted().joined(separator: ", ")))"
                )
            }
        }
    }
}
