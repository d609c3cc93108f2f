import ApplierAPI
import Appliers

/// What a content applier did to a set of in-memory files, as the host would have left them.
struct FileSetRun {
    /// The files after the operation (unchanged ones included, deleted ones absent), by path.
    var files: [String: FileContent]
    /// The receipt details of the operation.
    var details: [String: JSONValue]
    /// The changes the applier returned.
    var changes: [FileChange]

    /// Entry `index` of the details' `hunks` list.
    func hunk(_ index: Int) -> JSONValue? {
        guard let hunks = details["hunks"]?.arrayValue, hunks.indices.contains(index) else { return nil }
        return hunks[index]
    }

    /// A file's text after the operation, `nil` when it is absent.
    func text(_ path: String) -> String? { files[path].map { String(decoding: $0.bytes, as: UTF8.self) } }
}

/// Runs `applier` as the host would: asks it for its input paths, hands it those files (missing ones as
/// `nil`; each path resolved below the workspace `/w`, the runner's own resolution is tested in HostTests),
/// and performs the writes, deletions and mode changes it returns.
func runApplier(
    _ applier: some ContentApplier,
    _ payload: JSONValue,
    files: [String: FileContent],
    target: String? = "f.txt"
) async throws -> FileSetRun {
    let operation = PatchOperation(role: applier.descriptor.name, target: target, payload: payload)
    var inputs: [String: FileContent?] = [:]
    var resolved: [String: String] = [:]
    for path in try applier.inputPaths(for: operation) {
        var relative = path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        if path.hasPrefix("/w/") { relative = String(relative.dropFirst(2)) }
        resolved[path] = relative
        inputs[path] = .some(files[relative])
    }
    let patch = Patch(id: "t", role: operation.role, shape: .single, targetFile: target, description: nil, envelope: [:], operations: [operation])
    let result = try await applier.apply(
        operation,
        files: FileSet(files: inputs, targetPath: target, resolvedPaths: resolved),
        context: ApplyContext(patch: patch, workspace: "/w")
    )
    var after = files
    for change in result.changes {
        let path = resolved[change.path] ?? change.path
        switch change.action {
        case .write(let bytes, let mode): after[path] = FileContent(bytes: bytes, mode: mode ?? after[path]?.mode ?? 0o644)
        case .delete: after[path] = nil
        case .setMode(let mode): after[path]?.mode = mode
        }
    }
    return FileSetRun(files: after, details: result.details, changes: result.changes)
}

/// The error `body` failed with, or `nil` when it succeeded (any other error reads as `io_error`).
func applyError(_ body: () async throws -> Void) async -> ApplyError? {
    do {
        try await body()
        return nil
    } catch let error as ApplyError {
        return error
    } catch {
        return ApplyError(.ioError, "\(error)")
    }
}
