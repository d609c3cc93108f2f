public import Foundation

/// A filter over a host's patches, for `GET /api/patches` and `ghost list`: newest first, a page at a time.
public struct PatchQuery: Sendable, Equatable {
    /// Only this queue (all queues when `nil`).
    public var queue: String?
    /// Only this status: `queued`, `applying`, `applied`, `unchanged`, `duplicate` or `failed`.
    public var status: String?
    /// Only this failure reason.
    public var reason: String?
    /// Only this role.
    public var role: String?
    /// Only ids containing this text.
    public var idContains: String?
    /// Only patches finished at or after this time.
    public var since: Date?
    /// Where the previous page ended (its `next_cursor`); `nil` for the first page.
    public var cursor: String?
    /// The most patches in one page (1 to 500).
    public var limit: Int

    /// A query; by default the first 50 patches of every queue.
    public init(
        queue: String? = nil,
        status: String? = nil,
        reason: String? = nil,
        role: String? = nil,
        idContains: String? = nil,
        since: Date? = nil,
        cursor: String? = nil,
        limit: Int = 50
    ) {
        self.queue = queue
        self.status = status
        self.reason = reason
        self.role = role
        self.idContains = idContains
        self.since = since
        self.cursor = cursor
        self.limit = min(max(limit, 1), 500)
    }
}
