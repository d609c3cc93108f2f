import ApplierAPI

/// Reads a `search_replace` payload, in any of its three forms, into edits:
/// `{"search", "replace"}` (optional `path`), `{"edits": [{"path"?, "search", "replace"}, ...]}`, or a
/// string of Aider `SEARCH/REPLACE` blocks (see ``AiderBlocks``).
enum SearchReplacePayload {
    /// The edits, in order, with every field checked.
    /// - Throws: ``Reason/invalidPatch`` naming the field (and, for Aider text, the line).
    static func edits(of operation: PatchOperation) throws(ApplyError) -> [SearchReplaceEdit] {
        let edits: [SearchReplaceEdit]
        switch operation.payload {
        case .string(let text):
            edits = try AiderBlocks.parse(text)
        case .object(let members):
            edits = try objectEdits(members)
        default:
            throw invalid(
                "role '\(operation.role)' needs an object payload ({\"search\", \"replace\"} or {\"edits\": [...]}) or a string of "
                    + "SEARCH/REPLACE blocks, not \(operation.payload.typeName)"
            )
        }
        for edit in edits where edit.path == nil && (operation.target ?? "").isEmpty {
            throw invalid("\(edit.label) names no file: give the patch a 'target_file', or the edit a 'path'")
        }
        return edits
    }

    /// Every file the edits name, each once, in the order first named; edits without a path name `target`.
    /// Spellings that differ only by `./` or doubled slashes are listed once; any other two spellings of one
    /// file (an absolute path, an alias) the host resolves to one (``FileSet/resolved(_:)``).
    static func paths(of edits: [SearchReplaceEdit], target: String?) -> [String] {
        var seen: Set<String> = []
        var paths: [String] = []
        for edit in edits {
            guard let path = edit.path ?? target, seen.insert(normalized(path)).inserted else { continue }
            paths.append(path)
        }
        return paths
    }

    /// `path` without `.` components or empty ones: `./src//a.txt` and `src/a.txt` compare equal.
    static func normalized(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }

    private static func objectEdits(_ members: [String: JSONValue]) throws(ApplyError) -> [SearchReplaceEdit] {
        guard let list = members["edits"], list != .null else {
            guard members["search"] != nil || members["replace"] != nil else {
                throw invalid("payload needs 'search' and 'replace' (or an 'edits' list); it has \(keys(members))")
            }
            return [try edit(members, label: "the edit", field: "")]
        }
        if members["search"] != nil || members["replace"] != nil {
            throw invalid("payload has both 'edits' and 'search'/'replace': put every edit in 'edits'")
        }
        guard let items = list.arrayValue else { throw invalid("'edits' must be an array, not \(list.typeName)") }
        guard !items.isEmpty else { throw invalid("'edits' is empty: nothing to do") }
        var edits: [SearchReplaceEdit] = []
        for (index, item) in items.enumerated() {
            guard let object = item.objectValue else { throw invalid("edits[\(index)] must be an object, not \(item.typeName)") }
            edits.append(try edit(object, label: "edits[\(index)]", field: "edits[\(index)]."))
        }
        return edits
    }

    private static func edit(_ members: [String: JSONValue], label: String, field: String) throws(ApplyError) -> SearchReplaceEdit {
        func string(_ key: String, required: Bool) throws(ApplyError) -> String? {
            guard let value = members[key], value != .null else {
                guard !required else { throw invalid("\(label) has no '\(key)' (it has \(keys(members)))") }
                return nil
            }
            guard let text = value.stringValue else { throw invalid("'\(field)\(key)' must be a string, not \(value.typeName)") }
            return text
        }
        let path = try string("path", required: false)
        if let path, path.isEmpty { throw invalid("'\(field)path' is empty") }
        let search = try string("search", required: true) ?? ""
        let replace = try string("replace", required: true) ?? ""
        return SearchReplaceEdit(path: path, search: search, replace: replace, label: label)
    }

    private static func keys(_ members: [String: JSONValue]) -> String {
        members.isEmpty ? "no field" : members.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
    }

    private static func invalid(_ message: String) -> ApplyError { ApplyError(.invalidPatch, message) }
}
