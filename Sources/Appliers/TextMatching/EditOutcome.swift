import ApplierAPI

/// What one edit or hunk did, for the receipt's `edits` or `hunks` list: the file, the ladder level that
/// matched and where.
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
    /// How many lines from the place the hunk stated it was found (diff hunks only; positive: further down).
    var offset: Int?
    /// How many context lines were set aside at each end to find it (only when some were).
    var fuzz: Int?

    /// The outcome as a JSON object.
    var json: JSONValue {
        var members: [String: JSONValue] = ["path": .string(path), "match": .string(match)]
        if let line { members["line"] = .number(Double(line)) }
        if let lines { members["lines"] = .number(Double(lines)) }
        if let indent { members["indent"] = .string(indent) }
        if let offset { members["offset"] = .number(Double(offset)) }
        if let fuzz { members["fuzz"] = .number(Double(fuzz)) }
        return .object(members)
    }
}
