import ApplierAPI
import Foundation
import PostgresNIO
import Transport

/// Reverting an applied patch on the shared store: as on one host, a patch of its own, `revert-<id>`, queued
/// in the same queue (see ``RevertPlan``), built by whichever host is asked from the receipt and the
/// before-images the owner recorded with it.
///
/// One difference: the host asked may not reach the workspace, so whether a file changed since the patch is
/// checked only when the revert runs, inside its transaction on the owner (``RestoreApplier``): the revert
/// is queued, and fails with `conflict`, naming the files, when one did.
extension SharedStore {
    /// Queues the revert of the applied patch `id` as `revert-<id>`: a new attempt when a revert of it failed
    /// or was undone since. Refused, with why, when the patch is not applied, ran steps, changed more than its
    /// kept before-images or lost them, or is already reverted, or its revert is queued.
    func revert(id: String, config: GhostConfig) async throws(ApplyError) -> Acceptance {
        let revertID = PatchQueue.revertID(of: id)
        do {
            guard let run = try await latestRun(id: id, defaultQueue: config.defaultQueue), let queue = config.queue(named: run.queue) else {
                throw ApplyError(.notFound, "no queue has a patch with id \(id)")
            }
            guard run.status != "queued" else {
                throw ApplyError(.conflict, "patch '\(id)' is queued or being applied; it can be reverted once it has been applied")
            }
            let finished = try await finishedRun(queue: run.queue, seq: run.seq)
            guard let finished else {
                throw ApplyError(.notFound, "the receipt of '\(id)' is gone (removed by retention); it cannot be reverted")
            }
            let after = try await newRevertAttempt(of: id, queue: run.queue, patchFinishedAt: finished.finishedAt)
            let plan = try RevertPlan.make(for: finished.receipt, images: finished.images.flatMap(BeforeImages.init(encoded:)))
            let body = try plan.queueable(id: revertID, limits: queue.limits).body
            let item = IntakeItem(
                id: revertID,
                hash: Digest.sha256(body),
                body: body,
                source: Receipt.Source.http.rawValue,
                name: "\(revertID).json",
                role: RestoreApplier.role,
                receivedAt: Date(),
                newAttemptAfter: after ?? 0
            )
            switch try await enqueue(queue: run.queue, [item])[0] {
            case .queued(let seq, let attempt):
                return Acceptance(
                    patchID: revertID,
                    queue: run.queue,
                    state: .queued,
                    filepath: "postgres:\(run.queue)/\(seq)",
                    attempt: attempt,
                    note: "revert of \(id) queued as \(revertID)" + (attempt > 1 ? ", attempt \(attempt)" : "")
                )
            case .duplicate, .conflict:
                throw ApplyError(.conflict, "the revert of '\(id)' (\(revertID)) was queued meanwhile")
            case .unknownQueue:
                throw ApplyError(.unavailable, "the shared store has no queue '\(run.queue)' yet; try again shortly")
            }
        } catch let error as ApplyError {
            throw error
        } catch {
            throw SharedStore.unavailable(error)
        }
    }

    /// A finished run's receipt, finish time and before-images; `nil` when it has no receipt.
    private func finishedRun(queue: String, seq: Int64) async throws -> (receipt: Receipt, finishedAt: Date, images: [UInt8]?)? {
        let rows = try await query("SELECT receipt, finished_at, before_images FROM ghost_patches WHERE queue = \(queue) AND seq = \(seq)")
        for try await (text, finishedAt, images) in rows.decode((String?, Date?, ByteBuffer?).self) {
            guard let text, let finishedAt, let json = try? JSONParser.parse(Array(text.utf8)), let receipt = try? Receipt(json: json) else {
                return nil
            }
            return (receipt, finishedAt, images.map { Array(buffer: $0) })
        }
        return nil
    }

    /// The run of `revert-<id>` a new revert must follow (the usual duplicate check when `nil`): none for the
    /// first revert or after a failed one; the last one when it was undone since (the patch applied again,
    /// or the revert itself reverted). `conflict` while a revert is queued, or when the patch stands reverted.
    private func newRevertAttempt(of id: String, queue: String, patchFinishedAt: Date) async throws -> Int64? {
        let revertID = PatchQueue.revertID(of: id)
        guard let previous = try await latest(id: revertID, queue: queue) else { return nil }
        switch previous.status {
        case "failed": return nil
        case "queued": throw ApplyError(.conflict, "the revert of '\(id)' (\(revertID)) is already queued or being applied")
        default: break
        }
        guard previous.status == "applied", let revertedAt = previous.finishedAt, revertedAt >= patchFinishedAt else { return previous.seq }
        if let undone = try await latest(id: PatchQueue.revertID(of: revertID), queue: queue), undone.status == "applied",
            let undoneAt = undone.finishedAt, undoneAt >= revertedAt
        {
            return previous.seq
        }
        throw RevertPlan.alreadyReverted(id, by: revertID, attempt: previous.attempt)
    }

    /// The latest run of `id` in `queue`.
    private func latest(id: String, queue: String) async throws -> (seq: Int64, status: String, attempt: Int, finishedAt: Date?)? {
        let rows = try await query(
            "SELECT seq, status, attempt, finished_at FROM ghost_patches WHERE id = \(id) AND queue = \(queue) ORDER BY seq DESC LIMIT 1"
        )
        for try await (seq, status, attempt, finishedAt) in rows.decode((Int64, String, Int32, Date?).self) {
            return (seq, status, Int(attempt), finishedAt)
        }
        return nil
    }
}
