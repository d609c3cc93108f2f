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
        summary: "write the whole file: contents, optional mode (\"0644\") and encoding (utf8 | base64)",
        payloadSchema: BuiltinPayloadSchemas.write
    )

    /// A write applier.
    package init() {}

    /// Writes `contents`; the same bytes and mode already there is `unchanged`.
    /// The bytes and mode the payload asks for. Base64 may be wrapped (ASCII whitespace is skipped); any
    /// other character outside the alphabet is refused, not dropped.
    private func payload(_ operation: PatchOperation) throws(ApplyError) -> (bytes: [UInt8], mode: UInt16?) {
        let contents = try operation.requiredString("contents")
        let mode = try operation.optionalMode()
        switch try operation.optionalString("encoding") ?? "utf8" {
        case "utf8", "utf-8":
            return (Array(contents.utf8), mode)
        case "base64":
            let packed = String(contents.unicodeScalars.filter { !" \t\r\n".unicodeScalars.contains($0) })
            guard let data = Data(base64Encoded: packed) else {
                throw ApplyError(.invalidPatch, "'contents' is not valid base64 (only A-Z a-z 0-9 + / and = padding, with optional line breaks)")
            }
            return ([UInt8](data), mode)
        case let other:
            throw ApplyError(.invalidPatch, "unknown encoding '\(other)' (use utf8 or base64)")
        }
    }

    /// Refuses a payload that could only fail: no contents, a bad mode, bad base64, an unknown encoding.
    package func validate(_ operation: PatchOperation) throws(ApplyError) {
        _ = try payload(operation)
    }

    package func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
        let (bytes, mode) = try payload(operation)
        let path = files.targetPath ?? ""
        if let current = files.target, current.bytes == bytes {
            guard let mode, mode != current.mode else { return ContentResult(changes: []) }
            return ContentResult(changes: [FileChange(path: path, action: .setMode(mode))])
        }
        return ContentResult(changes: [FileChange(path: path, action: .write(bytes, mode: mode))])
    }
}
