import Foundation

/// A patch durably queued in `.ghost/pending/`, waiting for the executor.
struct PendingPatch: Sendable {
    /// Arrival order within the queue.
    var sequence: UInt64
    /// The transport that brought it (`http`, `inbox`, `stdin`).
    var source: String
    /// The name it gets in `.completed/` or `.failed/`.
    var name: String
    /// The patch id.
    var id: String
    /// The SHA-256 of its canonical JSON: the same id with another hash is an `id_conflict`.
    var contentHash: String
    /// When it was received.
    var receivedAt: Date

    /// The file name in `.ghost/pending/`: `<sequence>.<source>.<name>`, sortable by arrival.
    var fileName: String { String(format: "%016llu", sequence) + ".\(source).\(name)" }

    /// Parses a pending file name back into sequence, source and name.
    static func parseFileName(_ fileName: String) -> (sequence: UInt64, source: String, name: String)? {
        let parts = fileName.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let sequence = UInt64(parts[0]), !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        return (sequence, String(parts[1]), String(parts[2]))
    }
}
