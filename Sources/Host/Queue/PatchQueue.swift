import ApplierAPI
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Supervision
import Transport

/// One queue: its spool, its ledger of ids, and its executor, which applies patches in arrival order, one
/// at a time. Queues run side by side; each owns its workspace.
///
/// A delivery is parsed and checked before it is queued (so bad input is refused at once, with a reason),
/// reserved in the ledger (which decides duplicate and `id_conflict`), written durably, and only then
/// acknowledged. The executor takes patches in reservation order and never runs one before it is durable.
actor PatchQueue {
    let config: QueueConfig
    let spool: Spool
    let workspace: Workspace
    let runner: PatchRunner
    let metrics: HostMetrics
    let logger: Logger
    let io: NIOThreadPool
    let limits: PatchLimits

    /// Ids, order, journal places: the pure bookkeeping (see ``QueueLedger``).
    var ledger = QueueLedger()
    /// Deliveries waiting for the outcome of an id's first delivery, which is being written.
    var reservationWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// Patches handed to the executor before their journal record is durable, with their bodies as parsed at
    /// intake: the executor may prepare them but changes nothing, and files nothing, until the record is on disk.
    var early: [UInt64: (body: [UInt8], patch: Patch, durability: Durability)] = [:]
    /// The queue's durable state: intake journal and history (see ``QueueStore``); the core uses nothing else.
    let store: any QueueStore
    /// Finished patches filed since the last checkpoint, written to the history by it.
    var unrecorded: [HistoryEntry] = []
    /// Waits for receipts, and the receipts held back until they are durable.
    var receiptWaiters = ReceiptWaiters()
    let wakeups: AsyncStream<Void>
    let wake: AsyncStream<Void>.Continuation
    var closed = false
    var inHand: String?
    /// Patches with records in the intent log and no receipt filed yet; the log is emptied when none is left.
    var unfiledIntents: Set<UInt64> = []
    /// Outcomes recovery decided for interrupted patches, filed by the executor when it reaches them.
    var recovered: [UInt64: IntentRecovery.Outcome] = [:]
    /// Patches filed since the last checkpoint (sequence, journal generation): their receipts are not synced yet.
    var unsynced: [(sequence: UInt64, generation: UInt64)] = []
    /// Workspace folders renamed into since the last checkpoint, synced by it.
    let folderSyncs = DeferredFolderSyncs()
    var recent: [JSONValue] = []
    var tallies: [String: Int] = [:]
    /// Patches to apply one at a time under the durable applying marker, after the host died (sequence → id;
    /// see ``PoisonPolicy``). Empty in normal operation.
    var suspects: [UInt64: String] = [:]
    /// Host deaths per unfinished patch, as saved at start (kept in `.ghost/crashes.json` at shutdown).
    var crashDeaths: [PoisonPolicy.PatchKey: Int] = [:]
    /// Patches filed `crashed_host` at this start, for `/health` and status.
    var crashedAtStart: [String] = []
    /// Those waiting for the suspects to be settled (see ``awaitSuspectsSettled()``).
    var settledWaiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    /// A queue; `reserved` are the host's own files, which its patches may not name (`path_reserved`).
    init(
        config: QueueConfig,
        runner: PatchRunner,
        metrics: HostMetrics,
        logger: Logger,
        io: NIOThreadPool,
        limits: PatchLimits,
        reserved: [String] = []
    ) throws(ApplyError) {
        self.config = config
        self.spool = Spool(directory: config.directory)
        self.store = try EmbeddedQueueStore(spool: spool, retention: config.retention)
        self.runner = runner
        self.metrics = metrics
        self.logger = logger
        self.io = io
        self.limits = limits
        do {
            try FileManager.default.createDirectory(at: config.workspace, withIntermediateDirectories: true)
        } catch {
            throw ApplyError(.ioError, "cannot create workspace \(config.workspace.path): \(error.localizedDescription)")
        }
        self.workspace = try Workspace(root: config.workspace.path, aliases: config.aliases, reserved: reserved)
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    var name: String { config.name }

    // MARK: Executor

    /// Applies queued patches in order until the host shuts down; the patch in hand is always finished.
    func runExecutor(health: HealthBoard, component: String) async {
        await health.set(component, .up)
        await health.note(component, poisonNote)
        for await _ in wakeups.cancelOnGracefulShutdown() {
            while let (pending, location, outcome) = takeNext() {
                var batch: [Prepared]
                let head = early[pending.sequence]
                // After a death, a suspect is applied alone, its start durably marked first.
                let suspect = outcome == nil && suspects[pending.sequence] != nil
                if let head {
                    // Parsed at intake, and applied on its own: its record is not durable yet.
                    batch = [Prepared(pending: pending, location: location, body: head.body, patch: head.patch)]
                } else {
                    // The next ready patches are read and parsed off the actor, so intake goes on meanwhile.
                    let candidates = outcome == nil && !suspect ? readyAfterHead(limit: Self.maxBatch - 1) : []
                    batch = await gather(first: (pending, location), candidates: candidates)
                }
                for index in batch.indices.dropFirst() where !takeNext(batch[index].pending.sequence) {
                    batch.removeSubrange(index...)
                    break
                }
                if batch.count == 1 {
                    let marker = suspect ? PoisonPolicy.PatchKey(sequence: pending.sequence, id: pending.id) : nil
                    if let receipt = await apply(batch[0], recovered: outcome, durability: head?.durability, marker: marker) {
                        finished(pending, at: location, receipt: receipt)
                    } else {
                        dropped()
                    }
                    if suspects.removeValue(forKey: pending.sequence) != nil, suspects.isEmpty {
                        logger.info("every patch in hand when the host died is settled; batches resume", metadata: ["queue": "\(name)"])
                        resumeSettledWaiters()
                        await health.note(component, poisonNote)
                    }
                } else {
                    logger.debug(
                        "applying a batch",
                        metadata: ["patches": "\(batch.count)", "first": "\(pending.id)", "last": "\(batch[batch.count - 1].pending.id)"]
                    )
                    for (member, receipt) in zip(batch, await apply(batch)) {
                        finished(member.pending, at: member.location, receipt: receipt)
                    }
                }
                if depth == 0 || unsynced.count >= 256 || receiptWaiters.holdsReceipts { await checkpoint() }
                if Task.isShuttingDownGracefully { break }
            }
            if Task.isShuttingDownGracefully { break }
        }
        await checkpoint()
        saveCleanShutdown()
        closed = true
        // Nothing can be added now: a journal file whose patches are all in the history goes, so the next
        // start reads no journal at all.
        if ledger.currentGenerationIsEmpty, unrecorded.isEmpty { store.retire(ledger.currentGeneration) }
        store.close()
        resumeSettledWaiters()
        receiptWaiters.closeAll()
    }

    /// Starts the executor on patches recovered from the spool.
    func kick() { wake.yield() }

    /// The most patches applied together in one batch.
    static let maxBatch = 64

    /// The patches queued right behind the one just taken, ready and not interrupted by a crash, in order.
    func readyAfterHead(limit: Int) -> [(PendingPatch, JournalLocation)] {
        ledger.readyAfterHead(limit: limit) { sequence in
            recovered[sequence] != nil || early[sequence] != nil || suspects[sequence] != nil
        }
    }

    /// Reads and parses the patch taken and, when it only edits files, as many of `candidates` after it as
    /// also only edit files: the batch to apply together.
    nonisolated func gather(first: (PendingPatch, JournalLocation), candidates: [(PendingPatch, JournalLocation)]) async -> [Prepared] {
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

    /// Takes the next queued patch if it is `sequence`.
    func takeNext(_ sequence: UInt64) -> Bool {
        guard ledger.headIs(sequence) else { return false }
        return takeNext() != nil
    }

    func takeNext() -> (PendingPatch, JournalLocation, IntentRecovery.Outcome?)? {
        // A patch whose record is not durable yet keeps its reservation: a duplicate waits for the outcome.
        guard let (pending, location) = ledger.takeNext(keepsReservation: { early[$0] != nil }) else { return nil }
        inHand = pending.id
        metrics.depth(queue: config.name, depth)
        return (pending, location, recovered.removeValue(forKey: pending.sequence))
    }

    /// A queued patch read back from the journal, with the copy for `.completed/` on its way to disk.
    struct Prepared: Sendable {
        var pending: PendingPatch
        var location: JournalLocation
        var body: [UInt8]
        /// The parsed patch, or why it could not be read or parsed.
        var patch: Patch?
        var failure: ApplyError?
        var copy: Task<Copies, any Error>?
    }

    /// What the I/O threads prepare for filing a patch while it applies: its copy, and the receipt's
    /// temp file, created and waiting for the receipt's bytes.
    struct Copies: Sendable {
        var patch: URL
        var receipt: Spool.ReservedFile?
    }

    /// Reads a patch's body from the journal and parses it.
    nonisolated func prepare(_ pending: PendingPatch, from location: JournalLocation) -> Prepared {
        var prepared = Prepared(pending: pending, location: location, body: [])
        do throws(ApplyError) {
            prepared.body = try store.body(at: location)
            prepared.patch = try Patch.parse(json: prepared.body, limits: limits)
        } catch {
            prepared.failure = error
        }
        return prepared
    }

    /// Starts writing the copy of a patch for `.completed/` on the I/O threads, while it applies.
    nonisolated func startCopy(_ prepared: inout Prepared) {
        let spool = self.spool
        let bytes = prepared.body
        let io = self.io
        let pending = prepared.pending
        prepared.copy = Task {
            try await io.runIfActive {
                let patch = try spool.writeTemporary(bytes, label: pending.name, name: "\(pending.sequence).patch", sync: false)
                let receipt = try? spool.reserveTemporary(name: "\(pending.sequence).receipt", label: pending.name)
                return Copies(patch: patch, receipt: receipt)
            }
        }
    }

    /// Runs one patch and files it with its receipt; `nil` when its journal record never became durable
    /// (nothing was written for it then, and nothing is filed). Runs off the actor: intake goes on meanwhile.
    nonisolated func apply(
        _ taken: Prepared,
        recovered: IntentRecovery.Outcome?,
        durability: Durability?,
        marker: PoisonPolicy.PatchKey? = nil
    ) async -> Filed? {
        if let marker {
            // Before anything of the patch runs: a death from here on names it at the next start.
            do throws(ApplyError) {
                try spool.applyingMarker.mark(marker)
            } catch {
                logger.error(
                    "cannot mark the patch started; a death during it is not counted",
                    metadata: ["id": "\(marker.id)", "error": "\(error)"]
                )
            }
        }
        var prepared = taken
        if !prepared.body.isEmpty { startCopy(&prepared) }
        let pending = prepared.pending
        let options = runOptions(source: pending.source)
        let receipt: Receipt
        if let patch = prepared.patch {
            if let recovered {
                receipt = Self.receipt(recovered, for: patch, options: options, receivedAt: pending.receivedAt)
            } else {
                let intent = IntentContext(
                    log: spool.intentLog,
                    sequence: pending.sequence,
                    id: pending.id,
                    durability: durability,
                    folderSyncs: folderSyncs
                )
                receipt = await runner.run(patch, in: workspace, options: options, receivedAt: pending.receivedAt, intent: intent)
            }
        } else {
            var rejected = PatchRunner.rejected(
                document: nil,
                error: prepared.failure ?? ApplyError(.invalidPatch, "unreadable"),
                options: options,
                receivedAt: pending.receivedAt
            )
            rejected.id = pending.id
            receipt = rejected
        }
        do {
            try await durability?.wait()
        } catch {
            if let copies = try? await prepared.copy?.value {
                unlink(copies.patch.path)
                if let receipt = copies.receipt { spool.discard(receipt) }
            }
            return nil
        }
        return await file(prepared, receipt)
    }

    /// Runs a batch of content-only patches as one commit (see ``PatchRunner/runBatch(_:in:intent:)``) and
    /// files each with its receipt, in order.
    nonisolated func apply(_ batch: [Prepared]) async -> [Filed] {
        // No copies on the I/O threads here: under a backlog they would take the CPU that intake needs; the
        // executor's own low-priority thread writes each while filing it.
        let members = batch.compactMap { prepared in
            prepared.patch.map {
                PatchRunner.BatchMember(
                    patch: $0,
                    sequence: prepared.pending.sequence,
                    options: runOptions(source: prepared.pending.source),
                    receivedAt: prepared.pending.receivedAt
                )
            }
        }
        let first = batch[0].pending
        let intent = IntentContext(log: spool.intentLog, sequence: first.sequence, id: first.id, folderSyncs: folderSyncs)
        let receipts = await runner.runBatch(members, in: workspace, intent: intent)
        var filed: [Filed] = []
        for (prepared, receipt) in zip(batch, receipts) { filed.append(await file(prepared, receipt)) }
        return filed
    }

    nonisolated func runOptions(source: String) -> RunOptions {
        RunOptions(shellPolicy: config.shell, queue: config.name, source: source, limits: limits)
    }

    static func bytes(_ json: JSONValue) -> [UInt8] {
        var bytes = json.serializedBytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
