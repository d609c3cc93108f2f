import ApplierAPI
import Foundation
import GRDB

/// Which finished patches a page of the history holds: `ghost list`, `GET /api/patches`, the dashboard.
struct HistoryFilter: Sendable, Equatable {
    /// Only this status.
    var status: Receipt.Status?
    /// Only this failure reason.
    var reason: String?
    /// Only this role.
    var role: String?
    /// Only ids containing this text (no wildcards).
    var idContains: String?
    /// Only patches finished at or after this time.
    var since: Date?
    /// Only rows before this one (the last row of the previous page).
    var beforeRow: Int64?
    /// The most rows.
    var limit = 50
}

extension HistoryIndex {
    /// A row of the history with its row number, the cursor of the next page.
    struct Listed: Sendable {
        var row: Int64
        var entry: HistoryEntry
    }

    /// A page of the history, newest first (by row, the order they were recorded in). The row number is the
    /// cursor, so a page costs the same however deep it is.
    func list(_ filter: HistoryFilter) throws(ApplyError) -> [Listed] {
        let filters: [(sql: String, value: (any DatabaseValueConvertible)?)] = [
            ("status = ?", filter.status?.rawValue),
            ("reason = ?", filter.reason),
            ("role = ?", filter.role),
            ("instr(id, ?) > 0", filter.idContains),
            ("finished_at >= ?", filter.since?.timeIntervalSince1970),
            ("row < ?", filter.beforeRow),
        ]
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        for case let (sql, value?) in filters {
            conditions.append(sql)
            arguments.append(value)
        }
        arguments.append(filter.limit)
        let clause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT row, \(Self.columns) FROM patches \(clause) ORDER BY row DESC LIMIT ?"
        return try reading { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                Listed(row: row["row"], entry: Self.entry(row))
            }
        }
    }
}
