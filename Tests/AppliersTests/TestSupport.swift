import ApplierAPI
import Appliers

/// Runs a content applier on one in-memory file, as the host would.
func apply(
    _ applier: some ContentApplier,
    role: String? = nil,
    _ payload: JSONValue,
    to content: String?,
    mode: UInt16 = 0o644
) async throws -> ContentResult {
    let operation = PatchOperation(role: role ?? applier.descriptor.name, target: "f.txt", payload: payload)
    let file: FileContent? = content.map { FileContent(bytes: Array($0.utf8), mode: mode) }
    let patch = Patch(id: "t", role: operation.role, shape: .single, targetFile: "f.txt", description: nil, envelope: [:], operations: [operation])
    return try await applier.apply(
        operation,
        files: FileSet(files: ["f.txt": file], targetPath: "f.txt"),
        context: ApplyContext(patch: patch, workspace: "/w")
    )
}

/// The bytes a single `.write` change asks for, as text.
func writtenText(_ result: ContentResult) -> String? {
    guard result.changes.count == 1, case .write(let bytes, _) = result.changes[0].action else { return nil }
    return String(decoding: bytes, as: UTF8.self)
}

/// The reason an async throwing body failed with, or `nil` when it did not throw an ``ApplyError``.
func failureReason(_ body: () async throws -> Void) async -> Reason? {
    do {
        try await body()
        return nil
    } catch let error as ApplyError {
        return error.reason
    } catch {
        return nil
    }
}
