package import ApplierAPI

/// `json_patch` (RFC 6902 JSON Patch) and `json_merge_patch` (RFC 7396 JSON Merge Patch) on a JSON file.
///
/// `json_patch` takes the operations array (or `{"operations": […]}`): `add`, `remove`, `replace`,
/// `move`, `copy` and `test`, applied in order, each to the result of the ones before. The first that
/// fails (a `test` that does not hold, a path that is not there) fails the patch with `no_match`, naming
/// the operation's index, its pointer and what is there instead, and nothing is written. A malformed
/// operation is refused at intake (`invalid_patch`).
///
/// `json_merge_patch` takes the merge document (an object: its members are set recursively, a `null`
/// member removes one), or `{"merge": …}` for a merge document that is not an object (it replaces the
/// whole value) or whose only member is itself named `merge`. A merge cannot fail on a JSON file.
///
/// Both keep the file's formatting (see ``JSONDocumentWriter``); a result equal to the file's value
/// writes nothing (`unchanged`).
package struct JSONDocumentApplier: ContentApplier {
    /// Which RFC the role follows.
    package enum Standard: Sendable, CaseIterable {
        /// RFC 6902, `json_patch`.
        case patch
        /// RFC 7396, `json_merge_patch`.
        case mergePatch
    }

    /// The role's descriptor.
    package let descriptor: RoleDescriptor
    private let standard: Standard

    /// The applier for one of the two roles.
    package init(_ standard: Standard) {
        self.standard = standard
        switch standard {
        case .patch:
            descriptor = RoleDescriptor(
                name: "json_patch",
                summary: "RFC 6902 JSON Patch on a JSON file: [{op, path, value | from}, …] or {operations: […]}; formatting kept",
                payloadSchema: BuiltinPayloadSchemas.jsonPatch
            )
        case .mergePatch:
            descriptor = RoleDescriptor(
                name: "json_merge_patch",
                summary: "RFC 7396 JSON Merge Patch on a JSON file: the merge object ({\"a\": 1, \"b\": null}) or {merge: any}; formatting kept",
                payloadSchema: BuiltinPayloadSchemas.jsonMergePatch
            )
        }
    }

    /// Refuses a payload that could only fail: for `json_patch` anything but an operations array, and any
    /// malformed operation (unknown `op`, a missing or malformed pointer, a missing `value` or `from`,
    /// removing the whole document, a move into the moved value); for `json_merge_patch` a payload that is
    /// not an object.
    package func validate(_ operation: PatchOperation) throws(ApplyError) {
        switch standard {
        case .patch: _ = try JSONPatchPayload.steps(of: operation)
        case .mergePatch: _ = try JSONPatchPayload.mergeDocument(of: operation)
        }
    }

    /// Applies the patch to the target file; details: `{"operations": n}` (`json_patch`) or `{"paths": n}`,
    /// how many places a merge changed.
    package func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
        let file = try TextChecks.existing(files, role: descriptor.name)
        let path = files.targetPath ?? ""
        let document = try JSONDocument(file.bytes, path: path)
        let value: JSONNode
        let details: [String: JSONValue]
        switch standard {
        case .patch:
            let steps = try JSONPatchPayload.steps(of: operation)
            var engine = JSONPatchEngine(root: document.root, maxValues: context.limits.maxFileBytes)
            for step in steps { try engine.apply(step) }
            (value, details) = (engine.root, ["operations": .number(Double(steps.count))])
        case .mergePatch:
            var changes = 0
            value = document.root.merged(with: try JSONPatchPayload.mergeDocument(of: operation), changes: &changes)
            details = ["paths": .number(Double(changes))]
        }
        // Equal values (reordered members, `1.0` for `1`) leave the file as it is.
        guard !value.isEqual(to: document.root) else { return ContentResult(changes: [], details: details) }
        return ContentResult(changes: [FileChange(path: path, action: .write(document.bytes(with: value), mode: nil))], details: details)
    }
}
