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
    /// receipt names no id.
    init?(receipt json: JSONValue, at receipt: String?, kind: Kind? = nil, sequence: UInt64? = nil) {
        guard let id = json["id"]?.stringValue else { return nil }
        let status = json["status"]?.stringValue.flatMap(Receipt.Status.init(rawValue:)) ?? .failed
        self.id = id
        self.attempt = json["attempt"]?.doubleValue.map { Int($0) } ?? 1
        self.contentHash = json["content_sha256"]?.stringValue
        self.kind = kind ?? (status == .duplicate ? .duplicate : contentHash == nil ? .refused : .patch)
        self.status = status
        self.reason = json["reason"]?.stringValue
        self.role = json["role"]?.stringValue
        self.source = json["source"]?.stringValue ?? "unknown"
        self.receivedAt = json["received_at"]?.stringValue.flatMap(Self.date) ?? Date(timeIntervalSince1970: 0)
        self.finishedAt = json["finished_at"]?.stringValue.flatMap(Self.date) ?? receivedAt
        self.files = (json["files"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
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

    /// Whether its receipt was filed into `.failed/` (retention keeps those longer).
    var failed: Bool { status == .failed }

    private static func date(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
