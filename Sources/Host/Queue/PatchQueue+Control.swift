import ApplierAPI
import Foundation
import Logging
import Transport

/// What an operator does to a queue and its patches: pause and resume, cancel a queued patch, retry a
/// failed one, list them.
extension PatchQueue {
    /// Pauses or resumes the queue, durably (`.ghost/paused`) before it answers: a paused queue takes
    /// patches but applies none, across restarts. The patch in hand, if any, finishes.
    func setPaused(_ paused: Bool) throws(ApplyError) {
        try requireOpen()
        guard ledger.paused != paused else { return }
        try spool.pausedMarker.set(paused)
        ledger.paused = paused
        logger.notice(paused ? "queue paused" : "queue resumed", metadata: ["queue": "\(name)", "depth": "\(depth)"])
        if !paused { wake.yield() }
    }

    /// Whether the queue is paused.
    var isPaused: Bool { ledger.paused }

    /// Takes the queued patch `id` out of the queue and files it in `.failed/` with reason `cancelled`.
    func cancel(id: String) async throws(ApplyError) -> Receipt {
        try requireOpen()
        guard let (pending, location) = ledger.cancel(id) else {
            switch ledger.state(of: id) {
            case .reserving?, .applying?:
                throw ApplyError(.conflict, "patch '\(id)' is being applied (or taken in) and can no longer be cancelled")
            case .finished(_, let status)?:
                throw ApplyError(.conflict, "patch '\(id)' has finished (\(status.rawValue)); only a queued patch can be cancelled")
            case .queued?, nil:
                if let entry = try store.latest(id: id) {
                    throw ApplyError(.conflict, "patch '\(id)' has finished (\(entry.status.rawValue)); only a queued patch can be cancelled")
                }
                throw ApplyError(.notFound, "no queued patch with id '\(id)' in queue \(name)")
            }
        }
        recovered[pending.sequence] = nil
        suspects[pending.sequence] = nil
        metrics.depth(queue: name, depth)
        let prepared = await prepare(pending, from: location)
        let receipt = Receipt.cancelled(
            prepared.patch,
            id: id,
            options: executor.runOptions(source: pending.source),
            receivedAt: pending.receivedAt
        )
        finished(pending, at: location, receipt: await filer.file(prepared, receipt))
        await checkpoint()
        return receipt
    }

    nonisolated func prepare(_ pending: PendingPatch, from location: JournalLocation) async -> PreparedPatch {
        executor.prepare(pending, from: location)
    }

    /// Runs the failed patch `id` again, as its next attempt under the same id, from the copy filed with its
    /// receipt. Only a patch whose latest attempt failed is retried; the new attempt ends in `.completed/`
    /// or `.failed/` like any patch.
    func retry(id: String) async throws(ApplyError) -> Acceptance {
        try await settle(id, busy: "patch '\(id)' is queued or being applied; it can be retried once it has failed")
        try requireOpen()
        guard let entry = try store.latest(id: id) else { throw ApplyError(.notFound, "no finished patch with id '\(id)' in queue \(name)") }
        guard entry.status == .failed else {
            throw ApplyError(.conflict, "the latest attempt of '\(id)' is \(entry.status.rawValue), not failed; only a failed patch is retried")
        }
        guard let body = store.patchBody(of: entry) else {
            throw ApplyError(.notFound, "the patch file of '\(id)' is gone (removed by retention); send the patch again")
        }
        let patch = try Patch.parse(json: body, limits: limits)
        try executor.runner.validate(patch)
        let attempt = entry.attempt + 1
        return try await queueAgain(
            Resubmission(id: id, body: body, hash: entry.contentHash ?? Digest.sha256(body), source: entry.source, attempt: attempt),
            patch: patch,
            note: "attempt \(attempt) of \(id), retried after attempt \(entry.attempt) failed (\(entry.reason ?? "failed"))",
            event: "patch retried"
        )
    }

    /// A patch the host itself queues: a retry, or a revert.
    struct Resubmission {
        var id: String
        var body: [UInt8]
        var hash: String
        var source: Receipt.Source
        var attempt: Int
    }

    /// Queues `patch` (already checked) as `resubmission` says and acknowledges it once its record is durable.
    func queueAgain(_ resubmission: Resubmission, patch: Patch, note: String, event: String) async throws(ApplyError) -> Acceptance {
        let now = Date()
        let id = resubmission.id
        let pending = ledger.reserve(
            id: id,
            hash: resubmission.hash,
            source: resubmission.source,
            name: SpoolName.forDelivery(id: id, at: now),
            receivedAt: now,
            attempt: resubmission.attempt
        )
        switch enqueue(pending, patch: patch, body: resubmission.body, note: note) {
        case .fresh(let pending, let location, let durability, let note):
            logger.info("\(event)", metadata: ["queue": "\(name)", "id": "\(id)", "attempt": "\(pending.attempt)"])
            return try await acknowledge(pending, at: location, durability: durability, note: note)
        case .notJournaled(let error):
            throw error
        case .duplicate:
            throw ApplyError(.conflict, "patch '\(id)' was taken again meanwhile")
        }
    }

    /// Checkpoints `id` into the history if it just finished; `conflict` with `busy` while it is taken in,
    /// queued or being applied.
    func settle(_ id: String, busy: String) async throws(ApplyError) {
        try await recordFinished(id)
        switch ledger.state(of: id) {
        case .reserving?, .queued?, .applying?: throw ApplyError(.conflict, busy)
        case .finished?, nil: break
        }
    }

    /// Records what finished so far into the history (a checkpoint, when rows wait for one or one is under
    /// way), for the first page of a listing: a patch leaves the unfinished ones when it finishes and joins
    /// the history only at the checkpoint after, which a busy queue puts off. It costs a sync only when
    /// something finished since the last checkpoint; the dashboard lists at most once a second.
    func recordFinishedSoFar() async {
        if checkpointing || checkpoints.holdsRows { await checkpoint() }
    }

    /// The queue's unfinished patches (queued, then the one in hand), for the first page of a listing.
    func unfinishedSummaries(limit: Int) -> [JSONValue] {
        var items: [JSONValue] = []
        if let inHand, limit > 0 { items.append(["id": .string(inHand), "queue": .string(name), "status": "applying"]) }
        for pending in ledger.unfinished(limit: max(0, limit - items.count)) {
            items.append([
                "id": .string(pending.id),
                "queue": .string(name),
                "status": "queued",
                "source": .string(pending.source.rawValue),
                "received_at": .string(Receipt.timestamp(pending.receivedAt)),
                "attempt": .number(Double(pending.attempt)),
            ])
        }
        return items
    }

    /// A page of the queue's history (off the actor: it reads the index).
    nonisolated func history(_ filter: HistoryFilter) async throws(ApplyError) -> [HistoryIndex.Listed] {
        try store.list(filter)
    }
}
