import ApplierAPI
import Foundation
import Transport

/// Reverting an applied patch: a patch of its own, `revert-<id>`, queued in the same queue and applied
/// like any other (see ``RevertPlan`` and ``RestoreApplier``).
extension PatchQueue {
    /// The id of the revert of `id`.
    static func revertID(of id: String) -> String { "revert-\(id)" }

    /// Queues the revert of the applied patch `id` as `revert-<id>` (its next attempt when a revert of it
    /// failed, or was itself reverted). Refused, with why, when the patch is not applied, ran steps, changed
    /// more than its kept before-images, lost them, is already reverted, or a file it changed has changed
    /// since (`conflict`, naming them; the revert checks that again inside its own transaction).
    func revert(id: String) async throws(ApplyError) -> Acceptance {
        let revertID = Self.revertID(of: id)
        try await settle(id, busy: "patch '\(id)' is queued or being applied; it can be reverted once it has been applied")
        try await settle(revertID, busy: "the revert of '\(id)' (\(revertID)) is already queued or being applied")
        try requireOpen()
        guard let entry = try store.latest(id: id) else { throw ApplyError(.notFound, "no finished patch with id '\(id)' in queue \(name)") }
        guard let receipt = store.receipt(of: entry) else {
            throw ApplyError(.notFound, "the receipt of '\(id)' is gone (removed by retention); it cannot be reverted")
        }
        let attempt = try nextRevertAttempt(of: id, finishedAt: entry.finishedAt)
        let plan = try RevertPlan.make(for: receipt, images: filer.beforeImages.read(id: id, attempt: entry.attempt))
        let changed = plan.conflicts(current: await currentHashes(of: plan))
        guard changed.isEmpty else { throw plan.conflict(changed) }
        let (body, patch) = try plan.queueable(id: revertID, limits: limits)
        try executor.runner.validate(patch)
        return try await queueAgain(
            Resubmission(id: revertID, body: body, hash: Digest.sha256(body), source: .http, attempt: attempt),
            patch: patch,
            note: "revert of \(id) (attempt \(entry.attempt)) queued as \(revertID)" + (attempt > 1 ? ", attempt \(attempt)" : ""),
            event: "patch revert queued"
        )
    }

    /// The attempt the next revert of `id` (whose latest attempt finished at `finishedAt`) runs as: 1 for the
    /// first; the next one when the last revert failed, or was undone since (by reverting the revert, or by
    /// the patch applying again). `conflict` when the patch stands reverted.
    private func nextRevertAttempt(of id: String, finishedAt: Date) throws(ApplyError) -> Int {
        let revertID = Self.revertID(of: id)
        guard let previous = try store.latest(id: revertID) else { return 1 }
        guard previous.status == .applied, previous.finishedAt >= finishedAt else { return previous.attempt + 1 }
        if let undone = try store.latest(id: Self.revertID(of: revertID)), undone.status == .applied, undone.finishedAt >= previous.finishedAt {
            return previous.attempt + 1
        }
        throw RevertPlan.alreadyReverted(id, by: revertID, attempt: previous.attempt)
    }

    /// The SHA-256 of each file the plan names as it is now (`nil`: absent or unreadable). Off the actor:
    /// it reads and hashes whole files, and intake needs the actor meanwhile.
    private nonisolated func currentHashes(of plan: RevertPlan) async -> [String: String?] {
        var hashes: [String: String?] = [:]
        for step in plan.steps {
            let content = (try? executor.workspace.read(step.path, maxBytes: limits.maxFileBytes).content) ?? nil
            hashes[step.path] = content.map { Digest.sha256($0.bytes) }
        }
        return hashes
    }
}
