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

/// Runs `search_replace` as the host would (``runApplier(_:_:files:target:)``).
func runSearchReplace(_ payload: JSONValue, files: [String: [UInt8]], target: String? = "f.txt") async throws -> SearchReplaceRun {
    let run = try await runApplier(SearchReplaceApplier(), payload, files: files.mapValues { FileContent(bytes: $0) }, target: target)
    return SearchReplaceRun(files: run.files.mapValues { .some($0.bytes) }, details: run.details, changes: run.changes)
}

/// Runs `search_replace` on one text file `f.txt`.
func runSearchReplace(_ payload: JSONValue, on text: String) async throws -> SearchReplaceRun {
    try await runSearchReplace(payload, files: ["f.txt": Array(text.utf8)])
}

/// The error a search/replace run failed with, or `nil` when it succeeded.
func searchReplaceError(_ payload: JSONValue, files: [String: [UInt8]], target: String? = "f.txt") async -> ApplyError? {
    await applyError { _ = try await runSearchReplace(payload, files: files, target: target) }
}

/// The error a search/replace run on one text file `f.txt` failed with.
func searchReplaceError(_ payload: JSONValue, on text: String) async -> ApplyError? {
    await searchReplaceError(payload, files: ["f.txt": Array(text.utf8)])
}
