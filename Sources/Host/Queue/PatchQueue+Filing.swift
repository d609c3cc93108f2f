import ApplierAPI
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Transport

/// Filing: finished patches into `.completed/` or `.failed/`, and the checkpoint that makes them durable.
extension PatchQueue {
    /// A receipt as filed: typed, as JSON, and where it was placed (`nil` when it could not be).
    struct Filed: Sendable {
        var receipt: Receipt
        var json: JSONValue
        var url: URL?
    }

    /// Writes a finished patch and its receipt into `.completed/` or `.failed/` (not synced: the next
    /// checkpoint syncs every receipt filed since the last one at once).
    nonisolated func file(_ prepared: Prepared, _ finished: Receipt) async -> Filed {
        let pending = prepared.pending
        var receipt = finished
        receipt.contentSHA256 = pending.contentHash
        receipt.attempt = pending.attempt
        let json = receipt.json
        metrics.finished(
            queue: config.name,
            role: receipt.role ?? "unknown",
            failedWith: receipt.status == .failed ? (receipt.reason?.rawValue ?? "unknown") : nil,
            duration: .milliseconds(Int64(receipt.durationMs)) + .microseconds(Int64(receipt.durationMs * 1000) % 1000)
        )
        let outcome: Spool.Outcome = receipt.status == .failed ? .failed : .completed
        let receiptBytes = Self.bytes(json)
        let body = prepared.body
        do {
            let placed: (patch: URL, receipt: URL)
            do throws(ApplyError) {
                let copied = try? await prepared.copy?.value
                let receiptTemp: URL
                if let reserved = copied?.receipt {
                    receiptTemp = try spool.fill(reserved, with: receiptBytes, label: pending.name)
                } else {
                    receiptTemp = try spool.writeTemporary(receiptBytes, label: pending.name, name: "\(pending.sequence).receipt", sync: false)
                }
                placed = try spool.place(
                    copied.map { .temporary($0.patch) } ?? .bytes(body),
                    receiptTemp: receiptTemp,
                    name: pending.name,
                    into: outcome,
                    durable: false
                )
            } catch {
                // Once more from scratch, only when the queue's folders were moved away (never after an
                // fsync error, which is not retried).
                guard spool.foldersMissing else { throw error }
                placed = try spool.recreatingFolders { () throws(ApplyError) in
                    try spool.finish(.bytes(body), name: pending.name, receipt: receiptBytes, into: outcome)
                }
            }
            return Filed(receipt: receipt, json: json, url: placed.receipt)
        } catch {
            logger.critical("applied patch could not be filed", metadata: ["id": "\(pending.id)", "error": "\(error)"])
            return Filed(receipt: receipt, json: json, url: nil)
        }
    }

    /// The receipt of a patch recovery finished or failed.
    static func receipt(_ outcome: IntentRecovery.Outcome, for patch: Patch, options: RunOptions, receivedAt: Date) -> Receipt {
        var receipt = Receipt(for: patch, options: options, receivedAt: receivedAt)
        receipt.extra["recovered"] = true
        switch outcome {
        case .unchanged(let files):
            receipt.status = .unchanged
            receipt.files = files
            receipt.message = "the host stopped after this patch's batch was committed; recovery finished it"
        case .applied(let files):
            receipt.files = files
            receipt.message = "the host stopped after this patch was committed; recovery finished it (its diff and step output are not kept)"
        case .failed(let reason, let message):
            receipt.status = .failed
            receipt.reason = reason
            receipt.message = message
        case .requeue:
            break
        }
        receipt.finishedAt = Date()
        return receipt
    }

    func finished(_ pending: PendingPatch, at location: JournalLocation, receipt: Filed) {
        let status = receipt.receipt.status
        // Its intent records and its journal record stay until the receipt is durable (the next checkpoint);
        // a patch that could not be filed keeps them for the next start.
        unfiledIntents.insert(pending.sequence)
        if let url = receipt.url {
            unsynced.append((pending.sequence, location.generation))
            // A patch started before its record was durable can finish before intake hears so: deliveries
            // of the same id waiting on the reservation are let go here, to find the receipt.
            ledger.finish(pending, receipt: url, status: status)
            resumeReservationWaiters(pending.id)
        }
        inHand = nil
        remember(receipt.receipt, json: receipt.json, filedAt: receipt.url, kind: .patch, sequence: pending.sequence)
        // Someone waiting for the outcome gets it once it is durable: at the checkpoint, which comes next.
        receiptWaiters.finished(pending.id, receipt: receipt.json, filedToDisk: receipt.url != nil)
    }

    /// Makes the receipts filed since the last checkpoint, and the workspace renames of their patches,
    /// durable with one file-system sync (plus a folder sync for workspace folders on another file system),
    /// then lets go of what only they needed: their intent records and, once a journal file has no
    /// unfinished patch left, the file. Runs when the queue is empty, every 256 patches, when someone waits
    /// for a filed receipt, and at shutdown. After a failed sync nothing is let go of: recovery at the next
    /// start settles those patches from the journal and the intent log.
    func checkpoint() async {
        guard !unsynced.isEmpty || !unrecorded.isEmpty else { return }
        let batch = unsynced
        let rows = unrecorded
        let ids = receiptWaiters.filedSinceCheckpoint
        unsynced = []
        unrecorded = []
        let synced = await syncSpool()
        // Waiters that came while the sync ran are handed their receipt too.
        receiptWaiters.synced(ids)
        guard synced else {
            logger.critical("the file system reported a write-back error; receipts filed since the last sync are not trusted")
            // None of this batch goes to the history (a later sync would report success over the lost
            // writes): the patches stay in memory, which keeps answering for their ids, and the next start
            // settles them from the journal and the intent log. Refused and duplicate inbox files were
            // synced when filed, and keep their rows.
            unrecorded = rows.filter { $0.sequence == nil } + unrecorded
            return
        }
        // The receipts are durable: into the history with them, and out of memory. Until that write
        // succeeds the journal keeps their records, so a start finds them again.
        do {
            try await record(rows)
        } catch {
            logger.error("cannot write the history index; retrying at the next checkpoint", metadata: ["queue": "\(name)", "error": "\(error)"])
            unrecorded = rows + unrecorded
            unsynced = batch + unsynced
            return
        }
        ledger.recorded(rows.filter { $0.kind == .patch }.map(\.id))
        for (sequence, _) in batch { unfiledIntents.remove(sequence) }
        await retire(ledger.checkpointed(batch.map(\.generation)))
        if unfiledIntents.isEmpty { spool.intentLog.reset() }
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
        return folderSyncs.sync(in: workspace, skipping: synced ? spool.device : nil) && synced
    }

    /// Counts a filed receipt and keeps it among the recent ones; one filed at `url` goes to the history at the
    /// next checkpoint.
    func remember(_ receipt: Receipt, json: JSONValue, filedAt url: URL?, kind: HistoryEntry.Kind, sequence: UInt64? = nil) {
        if let url, let entry = HistoryEntry(receipt, at: spool.relativePath(of: url), kind: kind, sequence: sequence) {
            unrecorded.append(entry)
        }
        tallies[json["status"]?.stringValue ?? "failed", default: 0] += 1
        recent.append(Receipt.summary(of: json))
        if recent.count > 10 { recent.removeFirst(recent.count - 10) }
    }
}
