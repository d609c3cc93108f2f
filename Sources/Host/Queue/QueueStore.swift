import ApplierAPI
import Foundation
import Logging

/// One queue's durable state, behind one boundary: the intake journal (patches accepted and not finished yet)
/// and the history of finished ones (which ids were seen, with what content, and where their receipts are).
///
/// The queue core keeps only unfinished patches in memory and asks the store about everything older, so its
/// cost does not grow with its history. ``EmbeddedQueueStore`` (the files of the spool and a SQLite index) is
/// the store of a single host; a store shared by many hosts implements the same calls.
protocol QueueStore: Sendable {
    /// Accepted patches whose records are still in the intake journal (finished or not), in no given order.
    func recoverIntake() throws(ApplyError) -> [JournalRecord]
    /// Opens intake for new patches (after ``recoverIntake()``).
    func startIntake() throws(ApplyError)
    /// Hands a patch's record to intake; the returned durability completes once it is on disk.
    func enqueue(_ patch: PendingPatch, body: [UInt8]) throws(ApplyError) -> (JournalLocation, Durability)
    /// A queued patch's body.
    func body(at location: JournalLocation) throws(ApplyError) -> [UInt8]
    /// Where intake keeps the records of a generation, for people.
    func intakePath(_ generation: UInt64) -> String
    /// The generation new records go to.
    var intakeGeneration: UInt64 { get }
    /// Every generation that still has records.
    func intakeGenerations() -> [UInt64]
    /// Lets go of a generation whose patches have all finished and are in the history (which is made durable
    /// first). Returns false when that could not be done; the generation is then kept.
    @discardableResult func retire(_ generation: UInt64) -> Bool

    /// The latest run of the finished patch `id` the history holds, inside the dedup window or not.
    func latest(id: String) throws(ApplyError) -> HistoryEntry?
    /// The oldest finish time still inside the dedup window at `now`: an id whose patch finished before it
    /// is a new run when sent again.
    func dedupCutoff(now: Date) -> Date
    /// Adds finished patches to the history, in one write.
    func record(_ entries: [HistoryEntry]) throws(ApplyError)
    /// The receipt of a finished patch: its file, its copy in an archive, or, once retention deleted it, what
    /// the history still knows.
    func receipt(of entry: HistoryEntry) -> Receipt?
    /// The body of a finished patch, as it was received (from its file or the archive); `nil` once
    /// retention deleted it.
    func patchBody(of entry: HistoryEntry) -> [UInt8]?
    /// A page of the history, newest first (see ``HistoryFilter``).
    func list(_ filter: HistoryFilter) throws(ApplyError) -> [HistoryIndex.Listed]
    /// Where a finished patch is, for people (a duplicate's answer names it).
    func patchPath(of entry: HistoryEntry) -> String
    /// When the store had to build its history from the files as it opened (missing or cut short): how
    /// many patches it found and how long it took, for the log.
    var rebuiltAtOpen: (patches: Int, duration: Duration)? { get }
    /// The store's own housekeeping (retention and pruning of the history), which the host runs as a
    /// supervised service; `nil` when the store needs none from this host.
    func retentionSweeper(logger: Logger) -> RetentionSweeper?
    /// At start: the finished run of a journaled patch that is not in the history yet (it finished after
    /// the history's last write, before a kill), if it did finish.
    func finishedSinceLastRecord(_ patch: PendingPatch) -> HistoryEntry?
    /// After start, off the hot path: whatever makes lookups fast (may take a while; lookups work meanwhile).
    func warmUp() throws(ApplyError)
    /// At a clean stop, once nothing more will be written.
    func close()
}

extension QueueStore {
    /// The finished patch `id` if the history remembers it inside the dedup window at `now`: a delivery of
    /// the id is a duplicate (or a conflict) of it. Past the window the id is a new run (see ``latest(id:)``).
    func finished(id: String, now: Date) throws(ApplyError) -> HistoryEntry? {
        guard let entry = try latest(id: id), entry.finishedAt >= dedupCutoff(now: now) else { return nil }
        return entry
    }
}
