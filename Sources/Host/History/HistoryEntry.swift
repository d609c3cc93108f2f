import ApplierAPI
import Foundation

/// One finished patch as the history index knows it: enough to answer a duplicate, list and find its receipt.
struct HistoryEntry: Sendable, Equatable {
    /// What the row stands for.
    enum Kind: String, Sendable {
        /// An accepted patch: its id takes part in deduplication.
        case patch
        /// A redelivered inbox file filed with a `duplicate` receipt.
        case duplicate
        /// A delivery refused before it was queued (an inbox file moved to `.failed/`).
        case refused
    }

    /// The patch id.
    var id: String
    /// Which run of the id this is (1 for the first).
    var attempt: Int = 1
    var kind: Kind
    /// The SHA-256 of the patch's canonical JSON, when it could be parsed.
    var contentHash: String?
    var status: Receipt.Status
    var reason: String?
    var role: String?
    var source: String
    var receivedAt: Date
    var finishedAt: Date
    /// The workspace paths the receipt names.
    var files: [String] = []
    /// Where the receipt is, relative to the queue's folder: `.completed/NAME.receipt.json` while the file is
    /// there, `.archive/DAY.tar.gz` once retention archived it, `nil` once retention deleted it.
    var receipt: String?
    /// The patch's sequence number in its queue, for accepted patches.
    var sequence: UInt64?

    /// The entry a receipt describes, filed at `receipt` (relative to the queue's folder); `nil` when the
    /// receipt cannot be read or names no id.
    init?(receipt json: JSONValue, at receipt: String?, kind: Kind? = nil, sequence: UInt64? = nil) {
        guard let decoded = try? Receipt(json: json), let id = decoded.id else { return nil }
        self.id = id
        self.attempt = decoded.attempt
        self.contentHash = decoded.contentSHA256
        self.kind = kind ?? (decoded.status == .duplicate ? .duplicate : decoded.contentSHA256 == nil ? .refused : .patch)
        self.status = decoded.status
        self.reason = decoded.reason?.rawValue
        self.role = decoded.role
        self.source = decoded.source
        self.receivedAt = decoded.receivedAt
        self.finishedAt = decoded.finishedAt
        self.files = decoded.files.map(\.path)
        self.receipt = receipt
        self.sequence = sequence
    }

    /// An entry from its columns.
    init(
        id: String,
        attempt: Int,
        kind: Kind,
        contentHash: String?,
        status: Receipt.Status,
        reason: String?,
        role: String?,
        source: String,
        receivedAt: Date,
        finishedAt: Date,
        files: [String],
        receipt: String?,
        sequence: UInt64?
    ) {
        self.id = id
        self.attempt = attempt
        self.kind = kind
        self.contentHash = contentHash
        self.status = status
        self.reason = reason
        self.role = role
        self.source = source
        self.receivedAt = receivedAt
        self.finishedAt = finishedAt
        self.files = files
        self.receipt = receipt
        self.sequence = sequence
    }
}
