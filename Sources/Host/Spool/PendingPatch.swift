import Foundation

/// A patch durably queued in the intake journal, waiting for the executor.
struct PendingPatch: Sendable, Hashable {
    /// Arrival order within the queue.
    var sequence: UInt64
    /// The transport that brought it.
    var source: Receipt.Source
    /// The name it gets in `.completed/` or `.failed/`.
    var name: String
    /// The patch id.
    var id: String
    /// The SHA-256 of its canonical JSON: the same id with another hash is an `id_conflict`.
    var contentHash: String
    /// When it was received.
    var receivedAt: Date
    /// Which run of the id this is: 1, or one more than the history's last run of an id past the dedup window.
    var attempt = 1
}
