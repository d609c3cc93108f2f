package import ApplierAPI

/// `delete`: removes the file; a file that is already absent is `unchanged`.
package struct DeleteApplier: ContentApplier {
    /// `delete`.
    package let descriptor = RoleDescriptor(
        name: "delete",
        summary: "remove the file (already absent: unchanged)",
        payloadSchema: BuiltinPayloadSchemas.delete
    )

    /// A delete applier.
    package init() {}

    /// Deletes the target if it exists.
    package func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
        guard files.target != nil, let path = files.targetPath else {
            return ContentResult(changes: [], details: ["note": "already absent"])
        }
        return ContentResult(changes: [FileChange(path: path, action: .delete)])
    }
}
