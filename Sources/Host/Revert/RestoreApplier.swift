import ApplierAPI

/// `restore`: the role a revert is written in (see ``RevertPlan``). Inside the revert's own transaction it
/// checks that every file still has the hash the reverted patch left, and fails with ``Reason/conflict``
/// naming those that do not, before anything is staged; otherwise it writes each before-image back (bytes
/// and mode) and deletes the files the patch created.
struct RestoreApplier: ContentApplier {
    /// `restore`.
    static let role = "restore"

    /// The role's name and summary.
    let descriptor = RoleDescriptor(name: role, summary: "put files back as a revert's plan says, if they are as the reverted patch left them")

    /// The plan's files.
    func inputPaths(for operation: PatchOperation) throws(ApplyError) -> [String] {
        try RevertPlan(payload: operation.payload).steps.map(\.path)
    }

    /// Checks that the payload is a plan.
    func validate(_ operation: PatchOperation) throws(ApplyError) {
        _ = try RevertPlan(payload: operation.payload)
    }

    /// The plan's changes, or ``Reason/conflict`` when a file changed since the reverted patch.
    func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
        let plan = try RevertPlan(payload: operation.payload)
        var current: [String: String?] = [:]
        for step in plan.steps { current[step.path] = (files.files[step.path] ?? nil).map { Digest.sha256($0.bytes) } }
        let changed = plan.conflicts(current: current)
        guard changed.isEmpty else { throw plan.conflict(changed) }
        let changes = plan.steps.map { step in
            FileChange(path: step.path, action: step.restore.map { .write($0.bytes, mode: $0.mode) } ?? .delete)
        }
        return ContentResult(changes: changes, details: ["reverts": .string(plan.reverts)])
    }
}
