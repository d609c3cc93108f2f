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
    let metrics: HostMetrics
    let logger: Logger
    let limits: PatchLimits
    /// The queue's durable state: intake journal and history (see ``QueueStore``); the core uses nothing else.
    let store: any QueueStore
    /// Runs and files what the executor loop takes (off the actor).
    let executor: QueueExecutor
    /// Files patches and inbox files.
    let filer: QueueFiler
    /// Checks deliveries before they reach the actor.
    let intake: QueueIntake

    /// Ids, order, journal places: the pure bookkeeping (see ``QueueLedger``).
    var ledger = QueueLedger()
    /// Deliveries waiting for the outcome of an id's first delivery, which is being written.
    var reservationWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// Patches handed to the executor before their journal record is durable, with their bodies as parsed at
    /// intake: the executor may prepare them but changes nothing, and files nothing, until the record is on disk.
    var early: [UInt64: (body: [UInt8], patch: Patch, durability: Durability)] = [:]
    /// What the next checkpoint makes durable (see ``Checkpointer``).
    var checkpoints = Checkpointer()
    /// Whether a checkpoint is under way, and who waits for it to end.
    var checkpointing = false
    var checkpointWaiters: [CheckedContinuation<Void, Never>] = []
    /// Waits for receipts, and the receipts held back until they are durable.
    var receiptWaiters = ReceiptWaiters()
    let wakeups: AsyncStream<Void>
    let wake: AsyncStream<Void>.Continuation
    var closed = false
    /// Set by ``stop()``: the executor ends after the batch in hand, as at shutdown.
    var stopping = false
    var inHand: String?
    /// Outcomes recovery decided for interrupted patches, filed by the executor when it reaches them.
    var recovered: [UInt64: IntentRecovery.Outcome] = [:]
    var recent: [JSONValue] = []
    /// Whether an alert monitor watches the queue: only then are failures kept for it.
    let watchedByAlerts: Bool
    /// Failures not yet seen by the alert monitor (the newest 1,000 at most).
    var unreportedFailures: [(reason: String, at: Date)] = []
    var tallies: [Receipt.Status: Int] = [:]
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
        reserved: [String] = [],
        watchedByAlerts: Bool = false
    ) throws(ApplyError) {
        // First: a mistyped workspace stops the host before anything of the queue is created.
        do {
            try config.prepareWorkspace()
        } catch {
            throw ApplyError(.ioError, error.description)
        }
        self.config = config
        self.watchedByAlerts = watchedByAlerts
        let spool = Spool(directory: config.directory)
        self.spool = spool
        let store = try EmbeddedQueueStore(spool: spool, retention: config.retention)
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.limits = limits
        let workspace = try Workspace(root: config.workspace.path, aliases: config.aliases, reserved: reserved)
        self.workspace = workspace
        let filer = QueueFiler(queue: config.name, spool: spool, io: io, metrics: metrics, logger: logger)
        self.filer = filer
        intake = QueueIntake(queue: config.name, limits: limits, runner: runner, filer: filer)
        executor = QueueExecutor(
            config: config,
            store: store,
            spool: spool,
            workspace: workspace,
            runner: runner,
            limits: limits,
            filer: filer,
            folderSyncs: DeferredFolderSyncs(),
            logger: logger
        )
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    nonisolated var name: String { config.name }

    // MARK: Executor

    /// Applies queued patches in order until the host shuts down; the patch in hand is always finished.
    func runExecutor(health: HealthBoard, component: String) async {
        await health.set(component, .up)
        await health.note(component, poisonNote)
        for await _ in wakeups.cancelOnGracefulShutdown() {
            while let (batch, instructions) = await takeBatch() {
                // Their intent records stay through any checkpoint that completes while they are applied (a
                // listing, a cancel or a duplicate asks for one), until their receipts are durable.
                for member in batch { checkpoints.holdIntents(of: member.pending.sequence) }
                if batch.count > 1 {
                    logger.debug(
                        "applying a batch",
                        metadata: ["patches": "\(batch.count)", "first": "\(batch[0].pending.id)", "last": "\(batch[batch.count - 1].pending.id)"]
                    )
                }
                if let filed = await executor.apply(batch, instructions) {
                    for (member, receipt) in zip(batch, filed) { finished(member.pending, at: member.location, receipt: receipt) }
                } else {
                    inHand = nil
                }
                if batch.count == 1, !suspects.isEmpty { await settled(batch[0].pending.sequence, health: health, component: component) }
                if checkpoints.isDue(depth: depth, receiptsHeld: receiptWaiters.holdsReceipts) { await checkpoint() }
                if Task.isShuttingDownGracefully || stopping { break }
            }
            if Task.isShuttingDownGracefully || stopping { break }
        }
        await close()
    }

    /// Makes what finished durable, marks the stop clean, and closes the spool (its journal flushed, its lock
    /// released): the end of the executor, and of a queue a reload opened and then gave up before it ran.
    func close() async {
        guard !closed else { return }
        await checkpoint()
        saveCleanShutdown()
        closed = true
        // Nothing can be added now: a journal file whose patches are all in the history goes, so the next
        // start reads no journal at all.
        if ledger.currentGenerationIsEmpty, checkpoints.filedCount == 0 { store.retire(ledger.currentGeneration) }
        store.close()
        resumeSettledWaiters()
        receiptWaiters.closeAll()
    }

    /// Starts the executor on patches recovered from the spool.
    func kick() { wake.yield() }

    /// Ends the executor after the batch in hand, as shutdown does (a configuration reload removed or
    /// changed the queue): patches still queued stay in the spool, and run when a queue on this folder
    /// starts again. The spool's lock is released once the executor has closed it.
    func stop() {
        stopping = true
        wake.finish()
    }

    /// Throws ``Reason/unavailable`` once the queue is shutting down or stopping: nothing new may be taken or
    /// changed then (a stopping queue's replacement reads the spool as this one leaves it).
    func requireOpen() throws(ApplyError) {
        guard !closed else { throw ApplyError(.unavailable, "queue \(name) is shutting down") }
        guard !stopping else { throw ApplyError(.unavailable, "queue \(name) is restarting with new settings") }
    }

    /// Takes the head of the queue and, when it may share a commit, the ready patches right behind it: the
    /// next batch, read and parsed, with how to run it. `nil` when nothing is ready.
    func takeBatch() async -> ([PreparedPatch], QueueExecutor.Instructions)? {
        guard let (pending, location, outcome) = takeNext() else { return nil }
        var instructions = QueueExecutor.Instructions(recovered: outcome)
        if let head = early[pending.sequence] {
            // Parsed at intake, and applied on its own: its record is not durable yet.
            instructions.durability = head.durability
            return ([PreparedPatch(pending: pending, location: location, body: head.body, patch: head.patch)], instructions)
        }
        // After a death, a suspect is applied alone, its start durably marked first.
        if outcome == nil, suspects[pending.sequence] != nil {
            instructions.marker = PoisonPolicy.PatchKey(sequence: pending.sequence, id: pending.id)
        }
        let candidates = outcome == nil && instructions.marker == nil ? readyAfterHead(limit: QueueExecutor.maxBatch - 1) : []
        // Read and parsed off the actor, so intake goes on meanwhile.
        var batch = await gather(first: (pending, location), candidates: candidates)
        // Intake may have let go of a candidate meanwhile: the batch ends before the first one not at the head.
        for index in batch.indices.dropFirst() where !takeNext(batch[index].pending.sequence) {
            batch.removeSubrange(index...)
            break
        }
        return (batch, instructions)
    }

    nonisolated func gather(first: (PendingPatch, JournalLocation), candidates: [(PendingPatch, JournalLocation)]) async -> [PreparedPatch] {
        executor.gather(first: first, candidates: candidates)
    }

    /// A suspect was applied alone: once none is left, batches resume.
    func settled(_ sequence: UInt64, health: HealthBoard, component: String) async {
        guard suspects.removeValue(forKey: sequence) != nil, suspects.isEmpty else { return }
        logger.info("every patch in hand when the host died is settled; batches resume", metadata: ["queue": "\(name)"])
        resumeSettledWaiters()
        await health.note(component, poisonNote)
    }

    /// The patches queued right behind the one just taken, ready and not interrupted by a crash, in order.
    func readyAfterHead(limit: Int) -> [(PendingPatch, JournalLocation)] {
        ledger.readyAfterHead(limit: limit) { sequence in
            recovered[sequence] != nil || early[sequence] != nil || suspects[sequence] != nil
        }
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
}
