import Foundation

/// What the next checkpoint has to make durable, as a pure state machine: the patches filed since the last
/// one (their receipts are not synced yet), the history rows they and refused or duplicate inbox files
/// bring, and the patches whose intent records must stay until their receipts are durable.
///
/// A checkpoint takes a ``Round`` (``begin()``), syncs the spool, writes the rows, and reports back:
/// ``completed(_:)``, or ``syncFailed(_:)`` / ``recordFailed(_:)``, which keep what must be tried again.
/// ``PatchQueue`` does the I/O.
struct Checkpointer {
    /// One checkpoint's work.
    struct Round: Equatable {
        /// Patches filed since the last checkpoint: (sequence, journal generation).
        var filed: [Filed]
        /// History rows to write once the receipts are durable.
        var rows: [HistoryEntry]

        /// The ids of patches (not refused or duplicate inbox files) the round records.
        var patchIDs: [String] { rows.filter { $0.kind == .patch }.map(\.id) }
        /// The journal generations of the patches filed, one entry per patch.
        var generations: [UInt64] { filed.map(\.generation) }
    }

    /// A patch filed with its receipt.
    struct Filed: Equatable {
        var sequence: UInt64
        var generation: UInt64
    }

    private var filed: [Filed] = []
    private var rows: [HistoryEntry] = []
    /// Patches with records in the intent log and no durable receipt yet.
    private var unfiledIntents: Set<UInt64> = []

    /// Patches filed since the last checkpoint.
    var filedCount: Int { filed.count }

    /// Whether history rows wait for the next checkpoint.
    var holdsRows: Bool { !rows.isEmpty }

    /// Whether the intent log holds records of no unfinished patch: it can be emptied.
    var intentLogIsSettled: Bool { unfiledIntents.isEmpty }

    /// Whether the executor should run a checkpoint now: the queue is empty, enough receipts wait for one,
    /// or someone waits for a filed receipt.
    func isDue(depth: Int, receiptsHeld: Bool) -> Bool {
        depth == 0 || filed.count >= Self.maxUnsynced || receiptsHeld
    }

    /// The most receipts filed between two checkpoints while the queue is busy.
    static let maxUnsynced = 256

    /// A patch with records in the intent log: recovery found one at start, or the executor took one.
    mutating func holdIntents(of sequence: UInt64) { unfiledIntents.insert(sequence) }

    /// A patch finished: its intents stay until its receipt is durable. `filedIn` is its journal
    /// generation when its receipt was filed (a patch that could not be filed keeps its intents and journal
    /// record for the next start); `row` is its history row.
    mutating func finished(sequence: UInt64, filedIn generation: UInt64?, row: HistoryEntry?) {
        unfiledIntents.insert(sequence)
        if let generation { filed.append(Filed(sequence: sequence, generation: generation)) }
        if let row { rows.append(row) }
    }

    /// A row for the history that needs no sync of its own (a refused or duplicate inbox file, filed durably).
    mutating func record(_ row: HistoryEntry) { rows.append(row) }

    /// Takes everything filed so far for a checkpoint; `nil` when there is nothing to do.
    mutating func begin() -> Round? {
        guard !filed.isEmpty || !rows.isEmpty else { return nil }
        defer {
            filed = []
            rows = []
        }
        return Round(filed: filed, rows: rows)
    }

    /// The sync reported a write-back error. None of the round's patches goes to the history (a later sync
    /// would report success over the lost writes): they stay in memory, and the next start settles them from
    /// the journal and the intent log. Refused and duplicate inbox files were synced when filed: their rows
    /// are kept.
    mutating func syncFailed(_ round: Round) {
        rows = round.rows.filter { $0.sequence == nil } + rows
    }

    /// The receipts are durable but the history could not be written: all of it is tried again next time.
    mutating func recordFailed(_ round: Round) {
        rows = round.rows + rows
        filed = round.filed + filed
    }

    /// The round is durable and in the history: its patches' intent records can go.
    mutating func completed(_ round: Round) {
        for patch in round.filed { unfiledIntents.remove(patch.sequence) }
    }
}
