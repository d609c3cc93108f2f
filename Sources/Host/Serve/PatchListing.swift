import ApplierAPI
import Foundation
import Transport

/// One page of patches over several queues, newest first: each queue's history is read a page at a time
/// (newest row first) and the pages are merged, and the cursor says where each queue's part ended
/// (`v1,main:1234,other:0`, where 0 means the queue has nothing older), so no page costs more than the first.
/// The first page starts with the patches not finished yet.
struct PatchListing {
    let query: PatchQuery
    let queues: [String]
    /// Where each queue's next page starts (before this row); absent: from the newest.
    private var positions: [String: Int64] = [:]
    private var unfinished: [JSONValue] = []
    private var pages: [String: [HistoryIndex.Listed]] = [:]

    /// The first piece of every cursor: a cursor is never empty, so a page after the first is never taken
    /// for the first.
    static let cursorVersion = "v1"

    /// The statuses a listing can filter by.
    static let statuses: Set<String> = ["queued", "applying", "applied", "unchanged", "duplicate", "failed"]

    init(_ query: PatchQuery, queues: [String]) throws(ApplyError) {
        self.query = query
        self.queues = queues
        if let status = query.status, !Self.statuses.contains(status) {
            throw ApplyError(.invalidPatch, "status must be one of \(Self.statuses.sorted().joined(separator: ", ")), not '\(status)'")
        }
        for part in (query.cursor ?? "").split(separator: ",") where part != Self.cursorVersion {
            let pieces = part.split(separator: ":")
            guard pieces.count == 2, let row = Int64(pieces[1]), row >= 0 else {
                throw ApplyError(.invalidPatch, "the cursor '\(query.cursor ?? "")' is not one this host gave out")
            }
            positions[String(pieces[0])] = row
        }
    }

    /// Whether this page starts with the unfinished patches: the first page, unless the filter rules them out
    /// (a status other than queued or applying, or a reason, role or finish time, which they do not have yet).
    var includesUnfinished: Bool {
        query.cursor == nil && query.reason == nil && query.role == nil && query.since == nil
            && (query.status == nil || query.status == "queued" || query.status == "applying")
    }

    /// The history filter for `queue`'s part of the page; `nil` when it has nothing more to give.
    func filter(for queue: String) -> HistoryFilter? {
        if query.status == "queued" || query.status == "applying" { return nil }
        if positions[queue] == 0 { return nil }
        return HistoryFilter(
            status: query.status.flatMap(Receipt.Status.init(rawValue:)),
            reason: query.reason,
            role: query.role,
            idContains: query.idContains,
            since: query.since,
            beforeRow: positions[queue],
            limit: query.limit
        )
    }

    /// Adds a queue's unfinished patches, as far as the filter lets them through.
    mutating func add(unfinished items: [JSONValue], from queue: String) {
        for item in items {
            if let status = query.status, item["status"]?.stringValue != status { continue }
            if let text = query.idContains, item["id"]?.stringValue?.contains(text) != true { continue }
            unfinished.append(item)
        }
    }

    /// Adds a page of `queue`'s history.
    mutating func add(_ rows: [HistoryIndex.Listed], from queue: String) { pages[queue] = rows }

    /// The page: `{"patches": [...], "next_cursor": "..." or null}`.
    func page() -> JSONValue {
        var items = Array(unfinished.prefix(query.limit))
        var taken: [String: Int] = [:]
        // A merge of the queues' pages by finish time, each consumed from its newest row on, so the cursor can
        // say where each one stopped.
        while items.count < query.limit {
            var best: (queue: String, listed: HistoryIndex.Listed)?
            for queue in queues {
                guard let rows = pages[queue], taken[queue, default: 0] < rows.count else { continue }
                let next = rows[taken[queue, default: 0]]
                if best == nil || next.entry.finishedAt > best!.listed.entry.finishedAt { best = (queue, next) }
            }
            guard let (queue, listed) = best else { break }
            taken[queue, default: 0] += 1
            items.append(Self.summary(listed.entry, queue: queue))
        }
        var cursor = [Self.cursorVersion]
        var more = false
        for queue in queues {
            let used = taken[queue, default: 0]
            if let rows = pages[queue], used == rows.count, rows.count < query.limit {
                // Everything it had is shown (or it had nothing): nothing older.
                cursor.append("\(queue):0")
            } else if let rows = pages[queue], used > 0 {
                cursor.append("\(queue):\(rows[used - 1].row)")
                more = true
            } else if let position = positions[queue] {
                cursor.append("\(queue):\(position)")
                more = more || position != 0
            } else if pages[queue]?.isEmpty == false {
                // Nothing of it shown: its next page starts from its newest row again.
                more = true
            }
        }
        return [
            "patches": .array(items),
            "next_cursor": more ? .string(cursor.joined(separator: ",")) : .null,
        ]
    }

    /// A history row as a listing shows it.
    static func summary(_ entry: HistoryEntry, queue: String) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(entry.id),
            "queue": .string(queue),
            "status": .string(entry.status.rawValue),
            "source": .string(entry.source.rawValue),
            "attempt": .number(Double(entry.attempt)),
            "received_at": .string(Receipt.timestamp(entry.receivedAt)),
            "finished_at": .string(Receipt.timestamp(entry.finishedAt)),
            "files": .array(entry.files.map(JSONValue.string)),
        ]
        if entry.kind != .patch { object["kind"] = .string(entry.kind.rawValue) }
        if let reason = entry.reason { object["reason"] = .string(reason) }
        if let role = entry.role { object["role"] = .string(role) }
        return .object(object)
    }
}
