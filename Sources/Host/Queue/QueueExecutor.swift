import ApplierAPI
import Foundation
import Logging

/// Applies what the queue hands it and files the result: reads patches back from the journal, runs them
/// (a batch of one is a batch), waits for their intake records, and files each with its receipt. Stateless
/// and off the queue's actor: ``PatchQueue`` decides what to take, this does the work.
struct QueueExecutor: Sendable {
    let config: QueueConfig
    let store: any QueueStore
    let spool: Spool
    let workspace: Workspace
    let runner: PatchRunner
    let limits: PatchLimits
    let filer: QueueFiler
    /// Workspace folders renamed into since the last checkpoint, synced by it.
    let folderSyncs: DeferredFolderSyncs
    let logger: Logger

    /// The most patches applied together in one batch.
    static let maxBatch = 64

    /// Reads a patch's body from the journal and parses it.
    func prepare(_ pending: PendingPatch, from location: JournalLocation) -> PreparedPatch {
        var prepared = PreparedPatch(pending: pending, location: location, body: [])
        do throws(ApplyError) {
            prepared.body = try store.body(at: location)
            prepared.patch = try Patch.parse(json: prepared.body, limits: limits)
        } catch {
            prepared.failure = error
        }
        return prepared
    }

    /// Reads and parses the patch taken and, when it only edits files, as many of `candidates` after it as
    /// also only edit files: the batch to apply together.
    func gather(first: (PendingPatch, JournalLocation), candidates: [(PendingPatch, JournalLocation)]) -> [PreparedPatch] {
        let head = prepare(first.0, from: first.1)
        guard let patch = head.patch, runner.isContentOnly(patch) else { return [head] }
        var batch = [head]
        for (pending, location) in candidates {
            let next = prepare(pending, from: location)
            guard let patch = next.patch, runner.isContentOnly(patch) else { break }
            batch.append(next)
        }
        return batch
    }

    /// How a batch is to run.
    struct Instructions: Sendable {
        /// The outcome recovery decided for a lone patch interrupted by a crash: filed, not run.
        var recovered: IntentRecovery.Outcome?
        /// The intake record of a lone patch taken while it was on its way to disk: nothing of the patch is
        /// visible (no rename, no step, no receipt) before it is durable.
        var durability: Durability?
        /// For a lone patch under suspicion after a death: marked durably as started before it runs.
        var marker: PoisonPolicy.PatchKey?
    }

    /// Runs a batch (one patch or several content-only ones, in order) and files each patch with its
    /// receipt. Returns `nil` for every patch when the intake record never became durable: nothing was
    /// written for them then, and nothing is filed.
    func apply(_ taken: [PreparedPatch], _ instructions: Instructions = Instructions()) async -> [QueueFiler.Filed]? {
        if let marker = instructions.marker { markStarted(marker) }
        var batch = taken
        // Under a backlog (several patches) the copies would take the CPU intake needs: they are then
        // written while filing, on the executor's own low-priority thread.
        if batch.count == 1, !batch[0].body.isEmpty { filer.startCopy(&batch[0]) }
        // Decided without running: a patch that could not be read or parsed, or one recovery settled.
        let decided = batch.map { prepared -> Receipt? in
            let options = runOptions(source: prepared.pending.source)
            guard let patch = prepared.patch else {
                var rejected = Receipt.rejected(
                    document: nil,
                    error: prepared.failure ?? ApplyError(.invalidPatch, "unreadable"),
                    options: options,
                    receivedAt: prepared.pending.receivedAt
                )
                rejected.id = prepared.pending.id
                return rejected
            }
            return instructions.recovered.map { Receipt.recovered($0, for: patch, options: options, receivedAt: prepared.pending.receivedAt) }
        }
        // The rest run, in order: every patch without a decided receipt has a parsed patch.
        let members = zip(batch, decided).compactMap { prepared, receipt -> PatchRunner.BatchMember? in
            guard receipt == nil, let patch = prepared.patch else { return nil }
            let pending = prepared.pending
            return PatchRunner.BatchMember(
                patch: patch,
                sequence: pending.sequence,
                options: runOptions(source: pending.source),
                receivedAt: pending.receivedAt
            )
        }
        var ran: ArraySlice<Receipt> = []
        if let first = members.first {
            let intent = IntentContext(
                log: spool.intentLog,
                sequence: first.sequence,
                id: first.patch.id,
                durability: instructions.durability,
                folderSyncs: folderSyncs
            )
            ran = await runner.run(members, in: workspace, intent: intent)[...]
        }
        do {
            // The one wait for the intake record on this path that is not inside the transaction: a patch
            // that failed before its commit still files nothing until its record is durable.
            try await instructions.durability?.wait()
        } catch {
            for prepared in batch { await filer.discardCopies(of: prepared) }
            return nil
        }
        var filed: [QueueFiler.Filed] = []
        for (prepared, receipt) in zip(batch, decided) {
            filed.append(await filer.file(prepared, receipt ?? ran.removeFirst()))
        }
        return filed
    }

    /// Marks a patch started, durably, before anything of it runs: a death from here on names it at the next
    /// start (see ``PoisonPolicy``).
    private func markStarted(_ marker: PoisonPolicy.PatchKey) {
        do throws(ApplyError) {
            try spool.applyingMarker.mark(marker)
        } catch {
            logger.error("cannot mark the patch started; a death during it is not counted", metadata: ["id": "\(marker.id)", "error": "\(error)"])
        }
    }

    /// The options a queued patch runs with.
    func runOptions(source: Receipt.Source) -> RunOptions { config.runOptions(source: source, limits: limits) }
}
