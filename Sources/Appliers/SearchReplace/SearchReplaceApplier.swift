package import ApplierAPI

/// `search_replace`: find a text and put another in its place, in one
/// or several files, the way models write edits.
///
/// Payload: `{"search": …, "replace": …}` for the target file; `{"edits": [{"path"?: …, "search": …,
/// "replace": …}, …]}`; or a string of Aider SEARCH/REPLACE blocks (``AiderBlocks``). Each search is
/// looked for on the ladder of ``MatchLevel``s, and must fit exactly one place at the first level where it
/// fits at all (else `ambiguous_match` with the candidate lines; never the first one). A search without
/// a line break is a piece of one line; anything else is whole lines. An empty search creates a missing
/// (or fills an empty) file. Edits apply in order, each to the result of the ones before; when one fails
/// the operation throws before returning anything, so no edit of it takes effect.
package struct SearchReplaceApplier: ContentApplier {
    /// `search_replace`.
    package let descriptor = RoleDescriptor(
        name: "search_replace",
        summary: "replace a unique search text: {search, replace}, {edits: [{path, search, replace}]} or Aider SEARCH/REPLACE blocks",
        payloadSchema: BuiltinPayloadSchemas.searchReplace,
        targetFile: .optional
    )

    /// A search/replace applier.
    package init() {}

    /// Every file the edits name (Aider blocks and `edits` may name several), each once. Reading them is the
    /// check at intake too (the host asks for them before the patch is queued): a payload that could only
    /// fail (a missing or mistyped field, an empty `edits` list, an edit naming no file, Aider text without
    /// blocks or with a malformed one, with its line number) is refused here, so no `validate` of its own.
    package func inputPaths(for operation: PatchOperation) throws(ApplyError) -> [String] {
        SearchReplacePayload.paths(of: try SearchReplacePayload.edits(of: operation), target: operation.target)
    }

    /// Applies the edits in order; see the type's documentation.
    package func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
        let edits = try SearchReplacePayload.edits(of: operation)
        let paths = SearchReplacePayload.paths(of: edits, target: operation.target)
        // The current bytes of each file, by the path the host resolved (two spellings of one file, through
        // an alias say, are one entry), as the edits so far left them; and the spelling its change is filed
        // under (the first one named).
        var state: [String: [UInt8]?] = [:]
        var spelling: [String: String] = [:]
        for path in paths where spelling[files.resolved(path)] == nil {
            let content = files.files[path] ?? nil
            if let content { try TextChecks.requireText(content, path: path) }
            state[files.resolved(path)] = .some(content?.bytes)
            spelling[files.resolved(path)] = path
        }
        var outcomes: [JSONValue] = []
        for edit in edits {
            let written = edit.path ?? operation.target ?? ""
            let file = files.resolved(paths.first { SearchReplacePayload.normalized($0) == SearchReplacePayload.normalized(written) } ?? written)
            let path = spelling[file] ?? written
            let (bytes, outcome) = try Self.apply(edit, to: state[file] ?? nil, path: path)
            state[file] = .some(bytes)
            outcomes.append(outcome.json)
        }
        var changes: [FileChange] = []
        for path in paths where spelling[files.resolved(path)] == path {
            guard let after = state[files.resolved(path)] ?? nil, after != (files.files[path] ?? nil)?.bytes else { continue }
            changes.append(FileChange(path: path, action: .write(after, mode: nil)))
        }
        var details: [String: JSONValue] = ["edits": .array(outcomes)]
        if changes.isEmpty { details["note"] = "every replacement equals the text it replaces" }
        return ContentResult(changes: changes, details: details)
    }

    /// One edit on one file's bytes (`nil`: the file does not exist).
    private static func apply(_ edit: SearchReplaceEdit, to bytes: [UInt8]?, path: String) throws(ApplyError) -> ([UInt8], EditOutcome) {
        guard edit.isEmptySearch else {
            guard let bytes else {
                throw ApplyError(
                    .fileNotFound,
                    "\(path) does not exist; \(edit.label) searches it (an empty search creates a missing file with the replacement)"
                )
            }
            return try SearchReplaceEngine.apply(edit, to: bytes, path: path)
        }
        if let bytes, !bytes.isEmpty {
            throw ApplyError(
                .invalidPatch,
                "\(edit.label) has an empty search but \(path) exists and is not empty: an empty search only creates a file; "
                    + "to add text, search for the lines next to where it goes and repeat them in the replacement"
            )
        }
        return (Array(edit.replace.utf8), EditOutcome(path: path, match: bytes == nil ? "created" : "filled"))
    }
}
