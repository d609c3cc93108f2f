import ApplierAPI

/// What one edit did, for the receipt's `edits` list: the file, the ladder level that matched and where.
struct EditOutcome: Equatable {
    /// The file, as written in the payload or the target.
    var path: String
    /// A ``MatchLevel`` raw value, or `created` for an empty search that created the file.
    var match: String
    /// The 1-based line where the replaced text started, in the file as the edit found it.
    var line: Int?
    /// How many lines of the file were replaced (fragments: the lines the match spans).
    var lines: Int?
    /// The indentation shift applied to the replacement (`+4`, `-2`), when there was one.
    var indent: String?

    /// The outcome as a JSON object.
    var json: JSONValue {
        var members: [String: JSONValue] = ["path": .string(path), "match": .string(match)]
        if let line { members["line"] = .number(Double(line)) }
        if let lines { members["lines"] = .number(Double(lines)) }
        if let indent { members["indent"] = .string(indent) }
        return .object(members)
    }
}
