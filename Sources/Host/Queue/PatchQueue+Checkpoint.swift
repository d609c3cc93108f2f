import ApplierAPI
import Foundation
import Logging

/// Finished patches into the ledger and the receipt waiters, and the checkpoint that makes them durable.
extension PatchQueue {
    /// A patch was filed (or could not be): the ledger, the waiters and the next checkpoint hear of it.
    func finished(_ pending: PendingPatch, at location: JournalLocation, receipt filed: QueueFiler.Filed) {
        let row = filed.url.flatMap { HistoryEntry(filed.receipt, at: spool.relativePath(of: $0), kind: .patch, sequence: pending.sequence) }
        // Its intent records and its journal record stay until the receipt is durable (the next checkpoint);
        // a patch that could not be filed keeps them for the next start.
        checkpoints.finished(sequence: pending.sequence, filedIn: filed.url == nil ? nil : location.generation, row: row)
        if let url = filed.url {
            // A patch started before its record was durable can finish before intake hears so: deliveries
            // of the same id waiting on the reservation are let go here, to find the receipt.
            ledger.finish(pending, receipt: url, status: filed.receipt.status)
            resumeReservationWaiters(pending.id)
        }
        if inHand == pending.id { inHand = nil }
        count(filed.receipt)
        // Someone waiting for the outcome gets it once it is durable: at the checkpoint, which comes next.
        receiptWaiters.finished(pending.id, receipt: filed.receipt, filedToDisk: filed.url != nil)
    }

    /// An inbox file that was refused or a duplicate was filed durably: into the history at the next checkpoint.
    func filedInbox(_ filed: QueueFiler.Filed, kind: HistoryEntry.Kind) {
        if let url = filed.url, let row = HistoryEntry(filed.receipt, at: spool.relativePath(of: url), kind: kind) {
            checkpoints.record(row)
        }
        count(filed.receipt)
    }

    /// Makes the receipts filed since the last checkpoint, and the workspace renames of their patches,
    /// durable with one file-system sync (plus a folder sync for workspace folders on another file system),
    /// then lets go of what only they needed: their intent records and, once a journal file has no
    /// unfinished patch left, the file. Runs when ``Checkpointer/isDue(depth:receiptsHeld:)`` says so and at
    /// shutdown. After a failed sync nothing is let go of: recovery at the next start settles those patches
    /// from the journal and the intent log.
    func checkpoint() async {
        // One at a time: a caller that finds one under way (the executor's, say) waits for it, then runs its
        // own, so whatever was finished when it asked is in the history when it returns.
        while checkpointing { await withCheckedContinuation { checkpointWaiters.append($0) } }
        checkpointing = true
        await checkpointRound()
        checkpointing = false
        for waiter in checkpointWaiters { waiter.resume() }
        checkpointWaiters = []
    }

    /// One checkpoint (see ``checkpoint()``).
    private func checkpointRound() async {
        guard let round = checkpoints.begin() else { return }
        let ids = receiptWaiters.filedSinceCheckpoint
        let synced = await syncSpool()
        guard synced else {
            logger.critical("the file system reported a write-back error; receipts filed since the last sync are not trusted")
            receiptWaiters.synced(ids)
            checkpoints.syncFailed(round)
            return
        }
        // The receipts are durable: into the history with them, and out of memory. Until that write
        // succeeds the journal keeps their records, so a start finds them again.
        do {
            try await record(round.rows)
        } catch {
            logger.error("cannot write the history index; retrying at the next checkpoint", metadata: ["queue": "\(name)", "error": "\(error)"])
            receiptWaiters.synced(ids)
            checkpoints.recordFailed(round)
            return
        }
        // Answered once the history has them too, so a listing right after an answer shows the patch.
        // Waiters that came while the sync ran are handed their receipt too.
        receiptWaiters.synced(ids)
        ledger.recorded(round.patchIDs)
        checkpoints.completed(round)
        await retire(ledger.checkpointed(round.generations))
        if checkpoints.intentLogIsSettled { spool.intentLog.reset() }
    }

    /// Writes rows to the history, off the actor.
    nonisolated func record(_ rows: [HistoryEntry]) async throws(ApplyError) {
        try store.record(rows)
    }

    /// Retires journal generations off the actor: each makes the history durable first (an fsync), which
    /// intake must not wait for.
    nonisolated func retire(_ generations: [UInt64]) async {
        for generation in generations { store.retire(generation) }
    }

    /// The sync itself, on the executor's thread rather than the actor's.
    nonisolated func syncSpool() async -> Bool {
        let synced = spool.syncAll()
        return executor.folderSyncs.sync(in: workspace, skipping: synced ? spool.device : nil) && synced
    }

    /// Counts a filed receipt and keeps it among the recent ones.
    func count(_ receipt: Receipt) {
        tallies[receipt.status, default: 0] += 1
        if watchedByAlerts, receipt.status == .failed {
            unreportedFailures.append((receipt.reason?.rawValue ?? "failed", receipt.finishedAt))
            if unreportedFailures.count > 1_000 { unreportedFailures.removeFirst(unreportedFailures.count - 1_000) }
        }
        recent.append(receipt.summary)
        if recent.count > 10 { recent.removeFirst(recent.count - 10) }
    }
}
