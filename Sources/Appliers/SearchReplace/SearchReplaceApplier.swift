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
        summary: "replace a unique search text: {search, replace}, {edits: [{path, search, replace}]} or Aider SEARCH/REPLACE blocks"
    )

    /// A search/replace applier.
    package init() {}

    /// Every file the edits name (Aider blocks and `edits` may name several), each once.
    package func inputPaths(for operation: PatchOperation) throws(ApplyError) -> [String] {
        SearchReplacePayload.paths(of: try SearchReplacePayload.edits(of: operation), target: operation.target)
    }

    /// Refuses a payload that could only fail: a missing or mistyped field, an empty `edits` list, an edit
    /// naming no file, Aider text without blocks or with a malformed one (with its line number).
    package func validate(_ operation: PatchOperation) throws(ApplyError) {
        _ = try SearchReplacePayload.edits(of: operation)
    }

    /// Applies the edits in order; see the type's documentation.
    package func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
        let edits = try SearchReplacePayload.edits(of: operation)
        let paths = SearchReplacePayload.paths(of: edits, target: operation.target, workspace: context.workspace)
        let key = { (path: String) in SearchReplacePayload.normalized(path, workspace: context.workspace) }
        // The current bytes of each file by normalised path, as the edits so far left them.
        var state: [String: [UInt8]?] = [:]
        for path in paths {
            let content = files.files[path] ?? nil
            if let content { try TextChecks.requireText(content, path: path) }
            state[key(path)] = .some(content?.bytes)
        }
        var outcomes: [JSONValue] = []
        for edit in edits {
            let written = edit.path ?? operation.target ?? ""
            let path = paths.first { key($0) == key(written) } ?? written
            let (bytes, outcome) = try Self.apply(edit, to: state[key(path)] ?? nil, path: path)
            state[key(path)] = .some(bytes)
            outcomes.append(outcome.json)
        }
        var changes: [FileChange] = []
        for path in paths {
            guard let after = state[key(path)] ?? nil, after != (files.files[path] ?? nil)?.bytes else { continue }
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
