import ApplierAPI
import Appliers

/// What a search/replace operation did to a set of in-memory files, or how it failed.
struct SearchReplaceRun {
    /// The files after the operation (unchanged ones included), by path as the test named them.
    var files: [String: [UInt8]?]
    /// The receipt details of the operation.
    var details: [String: JSONValue]
    /// The changes the applier returned.
    var changes: [FileChange]

    /// The `edits` entries of the details.
    var edits: [JSONValue] { details["edits"]?.arrayValue ?? [] }

    /// A file's text after the operation.
    func text(_ path: String) -> String? { (files[path] ?? nil).map { String(decoding: $0, as: UTF8.self) } }
}

/// Runs `search_replace` as the host would: asks the applier for its input paths, hands it those files
/// (missing ones as `nil`), and applies the changes it returns.
func runSearchReplace(_ payload: JSONValue, files: [String: [UInt8]], target: String? = "f.txt") async throws -> SearchReplaceRun {
    let applier = SearchReplaceApplier()
    let operation = PatchOperation(role: "search_replace", target: target, payload: payload)
    // As the host reads them: each path resolved below the workspace `/w` (the runner's own resolution is
    // tested in HostTests), its content that of the file it resolves to.
    var inputs: [String: FileContent?] = [:]
    var resolved: [String: String] = [:]
    for path in try applier.inputPaths(for: operation) {
        var relative = path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        if path.hasPrefix("/w/") { relative = String(relative.dropFirst(2)) }
        resolved[path] = relative
        inputs[path] = .some(files[relative].map { FileContent(bytes: $0) })
    }
    let patch = Patch(id: "t", role: operation.role, shape: .single, targetFile: target, description: nil, envelope: [:], operations: [operation])
    let result = try await applier.apply(
        operation,
        files: FileSet(files: inputs, targetPath: target, resolvedPaths: resolved),
        context: ApplyContext(patch: patch, workspace: "/w")
    )
    var after: [String: [UInt8]?] = files.mapValues { .some($0) }
    for change in result.changes {
        guard case .write(let bytes, _) = change.action else { continue }
        after[change.path] = .some(bytes)
    }
    return SearchReplaceRun(files: after, details: result.details, changes: result.changes)
}

/// Runs `search_replace` on one text file `f.txt`.
func runSearchReplace(_ payload: JSONValue, on text: String) async throws -> SearchReplaceRun {
    try await runSearchReplace(payload, files: ["f.txt": Array(text.utf8)])
}

/// The error a search/replace run failed with, or `nil` when it succeeded.
func searchReplaceError(_ payload: JSONValue, files: [String: [UInt8]], target: String? = "f.txt") async -> ApplyError? {
    do {
        _ = try await runSearchReplace(payload, files: files, target: target)
        return nil
    } catch let error as ApplyError {
        return error
    } catch {
        return ApplyError(.ioError, "\(error)")
    }
}

/// The error a search/replace run on one text file `f.txt` failed with.
func searchReplaceError(_ payload: JSONValue, on text: String) async -> ApplyError? {
    await searchReplaceError(payload, files: ["f.txt": Array(text.utf8)])
}
