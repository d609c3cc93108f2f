import ApplierAPI
import Foundation
import GRDB

/// A queue's index of finished patches (`.ghost/history.sqlite`, SQLite in WAL mode): what deduplication,
/// lookups, listing and retention read instead of the receipt folders, so a start costs the same with a
/// million finished patches as with none.
///
/// The receipt files stay the record; the index is rebuilt from them when it is missing or on request
/// (``HistoryRebuild``). Rows are written in batches at the queue's checkpoint, after the receipts they
/// describe are durable; commits are not fsynced one by one (`synchronous = NORMAL`): ``makeDurable()``
/// runs before anything that only the index remembers is let go of (a journal file).
final class HistoryIndex: Sendable {
    /// The database file.
    let url: URL
    /// Two connections, each opened once (so they keep working on their files even if the queue's folder
    /// is moved away; a pool would open new readers by path): writes go through `pool`, and intake's
    /// lookups through `reader`, which WAL lets read while a checkpoint's batch is being written, so
    /// intake never waits for the executor's writes.
    private let pool: DatabaseQueue
    private let reader: DatabaseQueue

    /// The index's file in a queue's internal folder.
    static func location(in internalFolder: URL) -> URL {
        internalFolder.appendingPathComponent("history.sqlite", isDirectory: false)
    }

    /// Opens (creating when missing) the index at `url`.
    init(url: URL) throws(ApplyError) {
        self.url = url
        var configuration = Configuration()
        configuration.label = "history"
        // The sweeper's reads and the checkpoint's writes may meet; wait rather than fail at once.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabaseQueue(path: url.path, configuration: configuration)
            try Self.migrator.migrate(pool)
            var readOnly = Configuration()
            readOnly.label = "history-reader"
            readOnly.readonly = true
            readOnly.busyMode = .timeout(10)
            reader = try DatabaseQueue(path: url.path, configuration: readOnly)
        } catch {
            throw ApplyError(.ioError, "cannot open the history index \(url.path): \(error)")
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE patches (
                        row INTEGER PRIMARY KEY,
                        id TEXT NOT NULL,
                        attempt INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        content_sha256 TEXT,
                        status TEXT NOT NULL,
                        reason TEXT,
                        role TEXT,
                        source TEXT NOT NULL,
                        received_at REAL NOT NULL,
                        finished_at REAL NOT NULL,
                        files TEXT NOT NULL,
                        receipt TEXT,
                        place TEXT NOT NULL,
                        sequence INTEGER
                    );
                    CREATE UNIQUE INDEX patches_by_id ON patches(id, attempt) WHERE kind = 'patch';
                    CREATE INDEX patches_by_finish ON patches(finished_at);
                    CREATE INDEX patches_by_place ON patches(place, finished_at);
                    """
            )
        }
        return migrator
    }

    static let columns =
        "id, attempt, kind, content_sha256, status, reason, role, source, received_at, finished_at, files, receipt, sequence"

    /// The latest attempt of the accepted patch `id`, if the index knows it.
    func entry(id: String) throws(ApplyError) -> HistoryEntry? {
        try reading { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.columns) FROM patches WHERE id = ? AND kind = 'patch' ORDER BY attempt DESC LIMIT 1"),
                arguments: [id]
            ).map(Self.entry)
        }
    }

    /// Whether the index is complete: built by the queue from its first patch, or rebuilt to the end. A
    /// rebuild cut short (a kill, an error) leaves it incomplete, and it is rebuilt again.
    var isComplete: Bool {
        (try? reading { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }) == 1
    }

    /// Marks the index complete (see ``isComplete``), durably.
    func markComplete() throws(ApplyError) {
        try writing { db in try db.execute(sql: "PRAGMA user_version = 1") }
        try makeDurable()
    }

    /// An upper bound of the rows, read in constant time (the largest row number).
    func rowBound() throws(ApplyError) -> Int {
        try reading { db in try Int.fetchOne(db, sql: "SELECT max(row) FROM patches") ?? 0 }
    }

    /// Calls `body` with the id of every accepted patch, on a connection of its own (so intake's lookups do
    /// not wait for it).
    func forEachPatchID(_ body: (String) -> Void) throws(ApplyError) {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let scan = try DatabaseQueue(path: url.path, configuration: configuration)
            try scan.read { db in
                let ids = try String.fetchCursor(db, sql: "SELECT id FROM patches WHERE kind = 'patch'")
                while let id = try ids.next() { body(id) }
            }
            try scan.close()
        } catch {
            throw ApplyError(.ioError, "cannot read the history index \(url.path): \(error)")
        }
    }

    /// Adds finished patches in one transaction. An accepted patch already indexed (same id and attempt) is
    /// left as it is, so recording the same patches again after a crash changes nothing.
    func record(_ entries: [HistoryEntry]) throws(ApplyError) {
        guard !entries.isEmpty else { return }
        try writing { db in
            let insert = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO patches (\(Self.columns), place) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            )
            for entry in entries {
                try insert.execute(arguments: [
                    entry.id, entry.attempt, entry.kind.rawValue, entry.contentHash, entry.status.rawValue, entry.reason, entry.role,
                    entry.source.rawValue, entry.receivedAt.timeIntervalSince1970, entry.finishedAt.timeIntervalSince1970,
                    JSONValue.array(entry.files.map(JSONValue.string)).serialized, entry.receipt, entry.sequence.map(Int64.init),
                    Self.place(of: entry.receipt),
                ])
            }
        }
    }

    /// How many rows there are per status.
    func counts() throws(ApplyError) -> [String: Int] {
        try reading { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) FROM patches GROUP BY status") {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }

    /// The newest `limit` entries, newest first.
    func newest(limit: Int) throws(ApplyError) -> [HistoryEntry] {
        try reading { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM patches ORDER BY finished_at DESC LIMIT ?", arguments: [limit])
                .map(Self.entry)
        }
    }

    /// Entries whose receipt is still a file in `folder` (`.completed` or `.failed`) and that finished before
    /// `cutoff`, oldest first, at most `limit`, with their row numbers; with `keepNewest`, only those beyond
    /// the newest that many.
    func filed(
        in folder: String,
        finishedBefore cutoff: Date?,
        keepNewest: Int?,
        limit: Int
    ) throws(ApplyError) -> [(row: Int64, entry: HistoryEntry)] {
        try reading { db in
            var limit = limit
            if let keepNewest {
                let filed = try Int.fetchOne(db, sql: "SELECT count(*) FROM patches WHERE place = ?", arguments: [folder]) ?? 0
                limit = min(limit, max(0, filed - keepNewest))
            }
            return try Row.fetchAll(
                db,
                sql: "SELECT row, \(Self.columns) FROM patches WHERE place = ? AND finished_at < ? ORDER BY finished_at ASC LIMIT ?",
                arguments: [folder, (cutoff ?? .distantFuture).timeIntervalSince1970, limit]
            ).map { ($0["row"], Self.entry($0)) }
        }
    }

    /// Closes the database at a clean stop: the last connection checkpoints the WAL into the file and
    /// deletes it, so the next start finds one file and an empty log. Nothing may use the index afterwards.
    func close() {
        try? reader.close()
        try? pool.close()
    }

    /// Where a receipt is, for the `place` column: its folder (`.completed`, `.failed`, `.archive`) or `deleted`.
    static func place(of receipt: String?) -> String {
        guard let receipt, let slash = receipt.firstIndex(of: "/") else { return "deleted" }
        return String(receipt[..<slash])
    }

    /// Points each row to where its receipt now is (its place in an archive, or `nil` once deleted).
    func moveReceipts(_ moves: [(row: Int64, to: String?)]) throws(ApplyError) {
        guard !moves.isEmpty else { return }
        try writing { db in
            let update = try db.cachedStatement(sql: "UPDATE patches SET receipt = ?, place = ? WHERE row = ?")
            for move in moves { try update.execute(arguments: [move.to, Self.place(of: move.to), move.row]) }
        }
    }

    /// Deletes the rows that finished before `cutoff` (the dedup window's start) and whose files retention has
    /// archived or removed. Lookups already ignore ids past the window; rows of files still in `.completed/`
    /// and `.failed/` stay until retention moves the files. Returns how many went.
    @discardableResult
    func forget(finishedBefore cutoff: Date) throws(ApplyError) -> Int {
        try writing { db in
            try db.execute(
                sql: "DELETE FROM patches WHERE finished_at < ? AND place NOT IN ('.completed', '.failed')",
                arguments: [cutoff.timeIntervalSince1970]
            )
            return db.changesCount
        }
    }

    /// Makes every committed row durable (a WAL checkpoint, which fsyncs), before something only the index
    /// remembers is deleted.
    func makeDurable() throws(ApplyError) {
        do {
            _ = try pool.writeWithoutTransaction { db in try db.checkpoint(.full) }
        } catch {
            throw ApplyError(.ioError, "cannot make the history index durable: \(error)")
        }
    }

    static func entry(_ row: Row) -> HistoryEntry {
        let files = (try? JSONParser.parse(Array((row["files"] as String? ?? "[]").utf8)))?.arrayValue ?? []
        return HistoryEntry(
            id: row["id"],
            attempt: row["attempt"],
            kind: HistoryEntry.Kind(rawValue: row["kind"]) ?? .patch,
            contentHash: row["content_sha256"],
            status: Receipt.Status(rawValue: row["status"]) ?? .failed,
            reason: row["reason"],
            role: row["role"],
            // Written only from receipts, whose sources are the enum's.
            source: Receipt.Source(rawValue: row["source"]) ?? .http,
            receivedAt: Date(timeIntervalSince1970: row["received_at"]),
            finishedAt: Date(timeIntervalSince1970: row["finished_at"]),
            files: files.compactMap(\.stringValue),
            receipt: row["receipt"],
            sequence: (row["sequence"] as Int64?).map(UInt64.init)
        )
    }

    func reading<T>(_ body: (Database) throws -> T) throws(ApplyError) -> T {
        do {
            // One statement per read: its own implicit transaction is a consistent snapshot, and saves the
            // BEGIN and COMMIT a read block would wrap it in (intake looks up every new id).
            return try reader.unsafeRead(body)
        } catch {
            throw ApplyError(.ioError, "cannot read the history index \(url.path): \(error)")
        }
    }

    private func writing<T>(_ body: (Database) throws -> T) throws(ApplyError) -> T {
        do {
            return try pool.write(body)
        } catch {
            throw ApplyError(.ioError, "cannot write the history index \(url.path): \(error)")
        }
    }
}
