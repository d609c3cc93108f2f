package import ApplierAPI

/// `chmod`: sets the permission bits of an existing file.
package struct ChmodApplier: ContentApplier {
    /// `chmod`.
    package let descriptor = RoleDescriptor(
        name: "chmod",
        summary: "set the file's permission bits: mode (\"0755\")",
        payloadSchema: BuiltinPayloadSchemas.chmod
    )

    /// A chmod applier.
    package init() {}

    /// Refuses a payload without a valid `mode` before the patch is accepted.
    package func validate(_ operation: PatchOperation) throws(ApplyError) {
        _ = try Self.mode(of: operation)
    }

    /// Sets `mode`; the same mode already there is `unchanged`.
    package func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
        let mode = try Self.mode(of: operation)
        let file = try TextChecks.existing(files, role: operation.role)
        guard file.mode != mode else { return ContentResult(changes: []) }
        return ContentResult(changes: [FileChange(path: files.targetPath ?? "", action: .setMode(mode))])
    }

    private static func mode(of operation: PatchOperation) throws(ApplyError) -> UInt16 {
        guard let mode = try operation.optionalMode() else {
            throw ApplyError(.invalidPatch, "role 'chmod' needs a 'mode' such as \"0755\"")
        }
        return mode
    }
}
