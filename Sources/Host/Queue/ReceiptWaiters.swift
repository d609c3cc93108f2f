import ApplierAPI
import Foundation

/// Who waits for which patch's receipt (`?wait=`, stdin receipt lines), and the receipts held back until
/// the checkpoint makes them durable: an answer only ever reports a durable outcome.
struct ReceiptWaiters {
    private var waiting: [String: [UUID: CheckedContinuation<Receipt?, Never>]] = [:]
    /// Ids filed since the last checkpoint: their receipts are not durable yet.
    private var unsynced: Set<String> = []
    /// Receipts someone waits for, handed over by the next checkpoint.
    private var held: [String: Receipt] = [:]

    /// Whether a checkpoint would hand a receipt to someone (the executor then runs one at once).
    var holdsReceipts: Bool { !held.isEmpty }

    /// Ids filed and not durable yet, for the checkpoint to pass to ``synced(_:)``.
    var filedSinceCheckpoint: Set<String> { unsynced }

    /// Whether someone waits for `id`.
    func hasWaiters(for id: String) -> Bool { waiting[id] != nil }

    /// Whether `id` was filed since the last checkpoint.
    func isUnsynced(_ id: String) -> Bool { unsynced.contains(id) }

    /// Waits for `id` under `token` (see ``expire(_:token:)``).
    mutating func add(_ id: String, token: UUID, _ continuation: CheckedContinuation<Receipt?, Never>) {
        waiting[id, default: [:]][token] = continuation
    }

    /// The wait under `token` timed out: it gets `nil`.
    mutating func expire(_ id: String, token: UUID) {
        waiting[id]?.removeValue(forKey: token)?.resume(returning: nil)
        if waiting[id]?.isEmpty == true { waiting[id] = nil }
    }

    /// `id` finished with `receipt`. Filed to disk, it is handed over at the next checkpoint; not filed (the
    /// spool failed), it is handed over now, since no checkpoint will make it durable.
    mutating func finished(_ id: String, receipt: Receipt, filedToDisk: Bool) {
        if filedToDisk {
            unsynced.insert(id)
            if waiting[id] != nil { held[id] = receipt }
        } else {
            for continuation in (waiting.removeValue(forKey: id) ?? [:]).values { continuation.resume(returning: receipt) }
        }
    }

    /// Keeps `receipt` of a filed, not yet durable patch for whoever is about to wait for it.
    mutating func hold(_ id: String, receipt: Receipt) { held[id] = receipt }

    /// The checkpoint made these ids' receipts durable (or gave up on them): their waiters get them now.
    mutating func synced(_ ids: Set<String>) {
        unsynced.subtract(ids)
        for id in ids {
            guard let receipt = held.removeValue(forKey: id) else { continue }
            for continuation in (waiting.removeValue(forKey: id) ?? [:]).values { continuation.resume(returning: receipt) }
        }
    }

    /// The queue stopped: every waiter gets `nil`.
    mutating func closeAll() {
        for continuations in waiting.values { for continuation in continuations.values { continuation.resume(returning: nil) } }
        waiting = [:]
    }
}
