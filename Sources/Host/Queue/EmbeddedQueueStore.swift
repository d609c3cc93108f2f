import ApplierAPI
import Foundation
import Logging

/// The store of a single host: the intake journal in `.ghost/journal/`, the receipts in `.completed/` and
/// `.failed/`, and their index in `.ghost/history.sqlite` (see ``HistoryIndex``).
final class EmbeddedQueueStore: QueueStore {
    let spool: Spool
    let journal: IntakeJournal
    let history: HistoryIndex
    let retention: RetentionPolicy
    /// How many patches the index was rebuilt with from the receipt files, when it did not exist when opened.
    let rebuiltAtOpen: (patches: Int, duration: Duration)?
    /// Held for the store's life: one process per spool.
    let lock: SpoolLock
    /// Ids the history may hold: intake queries SQLite only for those (see ``IDFilter``).
    let filter: IDFilter

    /// The store of the queue whose folder is `spool`.
    init(spool: Spool, retention: RetentionPolicy, purpose: String = "stop the other host first") throws(ApplyError) {
        self.spool = spool
        self.retention = retention
        journal = IntakeJournal(folder: spool.journal)
        do {
            try FileManager.default.createDirectory(at: spool.internalFolder, withIntermediateDirectories: true)
        } catch {
            throw ApplyError(.ioError, "cannot create \(spool.internalFolder.path): \(error.localizedDescription)")
        }
        lock = try SpoolLock(internalFolder: spool.internalFolder, purpose: purpose)
        let url = HistoryIndex.location(in: spool.internalFolder)
        var index = try HistoryIndex(url: url)
        if index.isComplete {
            rebuiltAtOpen = nil
        } else {
            // Missing, or a rebuild was cut short: built again from the files, and marked complete last.
            index.close()
            for suffix in ["", "-wal", "-shm"] { unlink(url.path + suffix) }
            index = try HistoryIndex(url: url)
            let started = ContinuousClock.now
            let patches = try HistoryRebuild.rebuild(index, from: spool)
            try index.markComplete()
            rebuiltAtOpen = (patches, ContinuousClock.now - started)
        }
        history = index
        filter = IDFilter(capacity: try history.rowBound())
    }

    /// Fills the id filter from the history (in the background after start: a million ids take about a
    /// second); until then every lookup asks SQLite.
    func warmUp() throws(ApplyError) {
        // Streamed into the filter: holding a million ids at once would cost tens of MB the allocator keeps.
        var count = 0
        try history.forEachPatchID { id in
            filter.insert(id)
            count += 1
        }
        filter.markFilled(count: count)
    }

    func recoverIntake() throws(ApplyError) -> [JournalRecord] { try journal.recover() }
    func startIntake() throws(ApplyError) { try journal.start() }
    func enqueue(_ patch: PendingPatch, body: [UInt8]) throws(ApplyError) -> (JournalLocation, Durability) {
        try journal.enqueue(patch, body: body)
    }
    func body(at location: JournalLocation) throws(ApplyError) -> [UInt8] { try journal.body(at: location) }
    func intakePath(_ generation: UInt64) -> String { journal.path(generation) }
    var intakeGeneration: UInt64 { journal.generation }
    func intakeGenerations() -> [UInt64] { journal.generations() }

    @discardableResult
    func retire(_ generation: UInt64) -> Bool {
        do throws(ApplyError) {
            try history.makeDurable()
        } catch {
            return false
        }
        journal.retireOnDisk(generation)
        return true
    }

    func latest(id: String) throws(ApplyError) -> HistoryEntry? {
        guard filter.mightContain(id) else { return nil }
        return try history.entry(id: id)
    }

    func dedupCutoff(now: Date) -> Date { retention.dedupCutoff(now: now) }

    func record(_ entries: [HistoryEntry]) throws(ApplyError) {
        // Into the filter first: once the row is written, the queue forgets the id and asks the store.
        for entry in entries where entry.kind == .patch { filter.insert(entry.id) }
        try history.record(entries)
    }

    func receipt(of entry: HistoryEntry) -> Receipt? {
        guard let location = entry.receipt else { return Self.remembered(entry) }
        return stored(location).flatMap(Receipt.init(bytes:)) ?? Self.remembered(entry)
    }

    func patchBody(of entry: HistoryEntry) -> [UInt8]? {
        entry.receipt.flatMap { stored(SpoolName.patch(forReceipt: $0)) }
    }

    /// The bytes of a finished patch's file, where the history says it is: `.completed/X` or `.failed/X`,
    /// or `.archive/DAY.tar.gz#completed/X` once retention archived it.
    private func stored(_ location: String) -> [UInt8]? {
        if let hash = location.firstIndex(of: "#") {
            let archive = spool.directory.appendingPathComponent(String(location[..<hash]), isDirectory: false)
            return DayArchive.read(String(location[location.index(after: hash)...]), from: archive)
        }
        return try? spool.read(spool.directory.appendingPathComponent(location, isDirectory: false))
    }

    func list(_ filter: HistoryFilter) throws(ApplyError) -> [HistoryIndex.Listed] { try history.list(filter) }

    /// Matched by name in `.completed/` and `.failed/` (see ``Spool/filedReceipt(of:)``).
    func finishedSinceLastRecord(_ patch: PendingPatch) -> HistoryEntry? {
        guard let (url, receipt) = spool.filedReceipt(of: patch) else { return nil }
        return HistoryEntry(receipt, at: spool.relativePath(of: url), kind: .patch, sequence: patch.sequence)
    }

    func close() {
        history.close()
        // Every record handed to the journal is on disk before another instance may read the spool.
        journal.stop()
        lock.release()
    }

    /// Sweeps by the queue's ``RetentionPolicy``.
    func retentionSweeper(logger: Logger) -> RetentionSweeper? { RetentionSweeper(store: self, logger: logger) }

    /// Where a finished patch's file is, for people: the patch file beside its receipt, or the archive.
    func patchPath(of entry: HistoryEntry) -> String {
        guard let location = entry.receipt else { return "(removed by retention)" }
        if let hash = location.firstIndex(of: "#") { return spool.directory.appendingPathComponent(String(location[..<hash])).path }
        return spool.directory.appendingPathComponent(SpoolName.patch(forReceipt: location), isDirectory: false).path
    }

    /// What the history knows of a patch whose receipt is gone.
    static func remembered(_ entry: HistoryEntry) -> Receipt {
        var receipt = Receipt(id: entry.id, role: entry.role, queue: nil, source: entry.source, status: entry.status, receivedAt: entry.receivedAt)
        receipt.finishedAt = entry.finishedAt
        receipt.files = entry.files.map { FileRecord(path: $0, beforeSHA256: nil, afterSHA256: nil, modeBefore: nil, modeAfter: nil) }
        receipt.message = "the receipt file was removed by retention; this is what the history index remembers"
        receipt.reason = entry.reason.map(Reason.init(rawValue:))
        receipt.contentSHA256 = entry.contentHash
        receipt.attempt = entry.attempt
        return receipt
    }
}
