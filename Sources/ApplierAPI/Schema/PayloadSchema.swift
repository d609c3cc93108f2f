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
    /// Every `pattern` of the schema, compiled once when it is loaded (`$` at the very end only, as in
    /// ECMA-262), not for each string checked.
    let patterns: [String: CompiledPattern]

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
        var patterns: [String: CompiledPattern] = [:]
        try Self.check(document, at: "", patterns: &patterns)
        self.document = document
        self.patterns = patterns
    }

    /// Schemas are the same when their documents are.
    public static func == (left: PayloadSchema, right: PayloadSchema) -> Bool { left.document == right.document }

    /// Hashes the document.
    public func hash(into hasher: inout Hasher) { hasher.combine(document) }

    /// How a schema pattern is compiled.
    static var patternOptions: PatternOptions {
        var options = PatternOptions()
        options.dollarEndOnly = true
        return options
    }

    /// Every way `value` breaks the schema (empty when it conforms), each as `/json/pointer: what is wrong`,
    /// at most `limit` of them.
    public func violations(of value: JSONValue, limit: Int = 10) -> [String] {
        var found = SchemaEvaluation.Findings(limit: limit, patterns: patterns)
        SchemaEvaluation.check(value, against: document, at: "", into: &found)
        return found.list
    }

    /// Refuses a keyword whose value is of the wrong kind (`required: "x"`, `minimum: "3"`, an unknown type
    /// name): it would otherwise check nothing, silently.
    private static func checkValue(_ value: JSONValue, of key: String, at place: String) throws(ApplyError) {
        func refuse(_ expected: String) -> ApplyError { ApplyError(.invalidPatch, "schema \(place) must be \(expected)") }
        let types: Set<String> = ["null", "boolean", "object", "array", "number", "string", "integer"]
        switch key {
        case "type":
            let names = value.arrayValue ?? [value]
            guard !names.isEmpty, names.allSatisfy({ $0.stringValue.map(types.contains) == true }) else {
                throw refuse("a type name or a list of them (\(types.sorted().joined(separator: ", ")))")
            }
        case "enum":
            guard value.arrayValue != nil else { throw refuse("an array") }
        case "required":
            guard let names = value.arrayValue, names.allSatisfy({ $0.stringValue != nil }) else { throw refuse("an array of member names") }
        case "minItems", "maxItems", "minProperties", "maxProperties", "minLength", "maxLength":
            guard let number = value.intValue, number >= 0 else { throw refuse("a whole number, 0 or more") }
        case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
            guard value.doubleValue != nil else { throw refuse("a number") }
        case "multipleOf":
            guard let number = value.doubleValue, number > 0 else { throw refuse("a number above 0") }
        case "uniqueItems":
            guard value.boolValue != nil else { throw refuse("true or false") }
        case "pattern":
            guard value.stringValue != nil else { throw refuse("a string") }
        default:
            break
        }
    }

    private static func check(_ schema: JSONValue, at place: String, patterns: inout [String: CompiledPattern]) throws(ApplyError) {
        if schema.boolValue != nil { return }
        guard let members = schema.objectValue else {
            throw ApplyError(.invalidPatch, "schema\(place.isEmpty ? "" : " at \(place)") must be an object or a boolean")
        }
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            let inner = "\(place)/\(key)"
            if annotations.contains(key) || assertions.contains(key) {
                try checkValue(value, of: key, at: inner)
                if key == "pattern", let pattern = value.stringValue, patterns[pattern] == nil {
                    do {
                        patterns[pattern] = try CompiledPattern(pattern, options: patternOptions)
                    } catch {
                        throw ApplyError(.invalidPatch, "schema \(inner): \(error.message)")
                    }
                }
                continue
            }
            if singleSubschemas.contains(key) {
                try check(value, at: inner, patterns: &patterns)
            } else if listSubschemas.contains(key) {
                guard let list = value.arrayValue, !list.isEmpty else { throw ApplyError(.invalidPatch, "schema \(inner) must be a non-empty array") }
                for (index, subschema) in list.enumerated() { try check(subschema, at: "\(inner)/\(index)", patterns: &patterns) }
            } else if key == "properties" {
                guard let properties = value.objectValue else { throw ApplyError(.invalidPatch, "schema \(inner) must be an object") }
                for (name, subschema) in properties.sorted(by: { $0.key < $1.key }) {
                    try check(subschema, at: "\(inner)/\(name)", patterns: &patterns)
                }
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
