/// Applies a ``PayloadSchema``'s keywords to a value, collecting what is wrong where.
enum SchemaEvaluation {
    /// Violations found so far, up to a limit.
    struct Findings {
        /// Each as `payload/json/pointer: what is wrong`.
        var list: [String] = []
        /// The most kept.
        let limit: Int
        /// The schema's patterns, compiled.
        let patterns: [String: CompiledPattern]

        /// True when no more are wanted.
        var isFull: Bool { list.count >= limit }

        /// Records `message` about the value at `place`.
        mutating func add(_ place: String, _ message: String) {
            if !isFull { list.append("\(place.isEmpty ? "payload" : "payload\(place)"): \(message)") }
        }
    }

    /// Adds to `found` every violation of `schema` by `value` (at JSON pointer `place`).
    static func check(_ value: JSONValue, against schema: JSONValue, at place: String, into found: inout Findings) {
        guard !found.isFull else { return }
        if let allowed = schema.boolValue {
            if !allowed { found.add(place, "not allowed here") }
            return
        }
        guard let keywords = schema.objectValue else { return }
        func fail(_ message: String) { found.add(place, message) }
        if let type = keywords["type"], !matchesType(value, type) {
            fail("expected \(describe(type)), found \(value.typeName)")
            return
        }
        if let options = keywords["enum"]?.arrayValue, !options.contains(value) {
            fail("expected one of \(options.map(\.serialized).joined(separator: ", ")), found \(excerpt(value))")
        }
        if let constant = keywords["const"], constant != value { fail("expected \(constant.serialized), found \(excerpt(value))") }
        switch value {
        case .string(let text): checkString(text, keywords, at: place, into: &found)
        case .number(let number): checkNumber(number, keywords, at: place, into: &found)
        case .array(let items):
            if let minimum = keywords["minItems"]?.intValue, items.count < minimum {
                fail("expected at least \(minimum) items, found \(items.count)")
            }
            if let maximum = keywords["maxItems"]?.intValue, items.count > maximum { fail("expected at most \(maximum) items, found \(items.count)") }
            if keywords["uniqueItems"]?.boolValue == true, Set(items).count < items.count { fail("items must be unique") }
            if let itemSchema = keywords["items"] {
                for (index, item) in items.enumerated() { check(item, against: itemSchema, at: "\(place)/\(index)", into: &found) }
            }
        case .object(let members):
            checkObject(members, keywords, at: place, into: &found)
        default: break
        }
        checkCombinators(value, keywords, at: place, into: &found)
    }

    private static func checkString(_ text: String, _ keywords: [String: JSONValue], at place: String, into found: inout Findings) {
        func fail(_ message: String) { found.add(place, message) }
        // JSON Schema counts code points, not what Swift's String counts (grapheme clusters).
        let length = text.unicodeScalars.count
        if let minimum = keywords["minLength"]?.intValue, length < minimum { fail("expected at least \(minimum) characters, found \(length)") }
        if let maximum = keywords["maxLength"]?.intValue, length > maximum { fail("expected at most \(maximum) characters, found \(length)") }
        if let pattern = keywords["pattern"]?.stringValue {
            // A pattern not compiled (none is, outside a loaded schema) or one that fails to run refuses.
            let matched = found.patterns[pattern].flatMap { try? $0.matches(Array(text.utf8)) }
            if matched != true { fail("\(excerpt(.string(text))) does not match the pattern \(pattern)") }
        }
    }

    private static func checkNumber(_ number: Double, _ keywords: [String: JSONValue], at place: String, into found: inout Findings) {
        func fail(_ message: String) { found.add(place, message) }
        if let minimum = keywords["minimum"]?.doubleValue, number < minimum { fail("expected at least \(format(minimum)), found \(format(number))") }
        if let maximum = keywords["maximum"]?.doubleValue, number > maximum { fail("expected at most \(format(maximum)), found \(format(number))") }
        if let bound = keywords["exclusiveMinimum"]?.doubleValue, number <= bound {
            fail("expected more than \(format(bound)), found \(format(number))")
        }
        if let bound = keywords["exclusiveMaximum"]?.doubleValue, number >= bound {
            fail("expected less than \(format(bound)), found \(format(number))")
        }
        if let divisor = keywords["multipleOf"]?.doubleValue, divisor > 0,
            abs((number / divisor).rounded() - number / divisor) > 1e-9 * max(1, abs(number / divisor))
        {
            fail("expected a multiple of \(format(divisor)), found \(format(number))")
        }
    }

    private static func checkObject(
        _ members: [String: JSONValue],
        _ keywords: [String: JSONValue],
        at place: String,
        into found: inout Findings
    ) {
        func fail(_ message: String) { found.add(place, message) }
        for name in keywords["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
            fail("missing required member '\(name)'\(members.isEmpty ? "" : " (has: \(members.keys.sorted().joined(separator: ", ")))")")
        }
        if let minimum = keywords["minProperties"]?.intValue, members.count < minimum { fail("expected at least \(minimum) members") }
        if let maximum = keywords["maxProperties"]?.intValue, members.count > maximum { fail("expected at most \(maximum) members") }
        let properties = keywords["properties"]?.objectValue ?? [:]
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            let inner = "\(place)/\(escape(name))"
            if let propertySchema = properties[name] {
                check(member, against: propertySchema, at: inner, into: &found)
            } else if let additional = keywords["additionalProperties"] {
                if additional.boolValue == false {
                    fail("unknown member '\(name)'\(properties.isEmpty ? "" : " (allowed: \(properties.keys.sorted().joined(separator: ", ")))")")
                } else {
                    check(member, against: additional, at: inner, into: &found)
                }
            }
        }
    }

    private static func checkCombinators(
        _ value: JSONValue,
        _ keywords: [String: JSONValue],
        at place: String,
        into found: inout Findings
    ) {
        func fail(_ message: String) { found.add(place, message) }
        func conforms(_ schema: JSONValue) -> Bool {
            var inner = Findings(limit: 1, patterns: found.patterns)
            check(value, against: schema, at: place, into: &inner)
            return inner.list.isEmpty
        }
        for schema in keywords["allOf"]?.arrayValue ?? [] { check(value, against: schema, at: place, into: &found) }
        if let options = keywords["anyOf"]?.arrayValue, !options.contains(where: conforms) {
            fail("matches none of the \(options.count) allowed shapes (anyOf)")
        }
        if let options = keywords["oneOf"]?.arrayValue {
            let matching = options.filter(conforms).count
            if matching != 1 {
                fail(
                    matching == 0
                        ? "matches none of the \(options.count) allowed shapes (oneOf)" : "matches \(matching) shapes; exactly one is allowed (oneOf)"
                )
            }
        }
        if let forbidden = keywords["not"], conforms(forbidden) { fail("matches a shape that is not allowed (not)") }
        if let condition = keywords["if"] {
            if conforms(condition) {
                if let then = keywords["then"] { check(value, against: then, at: place, into: &found) }
            } else if let otherwise = keywords["else"] {
                check(value, against: otherwise, at: place, into: &found)
            }
        }
    }

    private static func matchesType(_ value: JSONValue, _ type: JSONValue) -> Bool {
        if let names = type.arrayValue { return names.contains { matchesType(value, $0) } }
        switch (type.stringValue, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number): return true
        case ("integer", .number(let number)): return number.rounded() == number
        default: return false
        }
    }

    private static func describe(_ type: JSONValue) -> String {
        if let names = type.arrayValue { return names.compactMap(\.stringValue).joined(separator: " or ") }
        return type.stringValue ?? type.serialized
    }

    private static func escape(_ name: String) -> String {
        var escaped = ""
        for character in name {
            switch character {
            case "~": escaped += "~0"
            case "/": escaped += "~1"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static func excerpt(_ value: JSONValue) -> String {
        let text = value.serialized
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}
