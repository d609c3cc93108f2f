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
    var source: Receipt.Source
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
        guard let decoded = try? Receipt(json: json) else { return nil }
        self.init(decoded, at: receipt, kind: kind, sequence: sequence)
    }

    /// The entry `receipt` describes, filed at `location`; `nil` when it names no id.
    init?(_ receipt: Receipt, at location: String?, kind: Kind? = nil, sequence: UInt64? = nil) {
        guard let id = receipt.id else { return nil }
        self.id = id
        self.attempt = receipt.attempt
        self.contentHash = receipt.contentSHA256
        self.kind = kind ?? (receipt.status == .duplicate ? .duplicate : receipt.refused || receipt.contentSHA256 == nil ? .refused : .patch)
        self.status = receipt.status
        self.reason = receipt.reason?.rawValue
        self.role = receipt.role
        self.source = receipt.source
        self.receivedAt = receipt.receivedAt
        self.finishedAt = receipt.finishedAt
        self.files = receipt.files.map(\.path)
        self.receipt = location
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
        source: Receipt.Source,
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
