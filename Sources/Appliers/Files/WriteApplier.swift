package import ApplierAPI
import Foundation

/// `write` (aliases `file_write`, `upsert`): the whole file, created with its folders if missing.
///
/// Payload: `contents` (required), optional `mode` (`"0755"`), optional `encoding` (`utf8`, the default, or `base64`).
package struct WriteApplier: ContentApplier {
    /// `write`, aliases `file_write` and `upsert`.
    package let descriptor = RoleDescriptor(
        name: "write",
        aliases: ["file_write", "upsert"],
        summary: "write the whole file: contents, optional mode (\"0644\") and encoding (utf8 | base64)"
    )

    /// A write applier.
    package init() {}

    /// Writes `contents`; the same bytes and mode already there is `unchanged`.
    package func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
        let contents = try operation.requiredString("contents")
        let mode = try operation.optionalMode()
        let bytes: [UInt8]
        switch try operation.optionalString("encoding") ?? "utf8" {
        case "utf8", "utf-8": bytes = Array(contents.utf8)
        case "base64":
            guard let data = Data(base64Encoded: contents, options: .ignoreUnknownCharacters) else {
                throw ApplyError(.invalidPatch, "'contents' is not valid base64")
            }
            bytes = [UInt8](data)
        case let other:
            throw ApplyError(.invalidPatch, "unknown encoding '\(other)' (use utf8 or base64)")
        }
        let path = files.targetPath ?? ""
        if let current = files.target, current.bytes == bytes {
            guard let mode, mode != current.mode else { return ContentResult(changes: []) }
            return ContentResult(changes: [FileChange(path: path, action: .setMode(mode))])
        }
        return ContentResult(changes: [FileChange(path: path, action: .write(bytes, mode: mode))])
    }
}
