import ApplierAPI
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
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
    private let workspace: Workspace
    private let runner: PatchRunner
    private let metrics: HostMetrics
    private let logger: Logger
    private let io: NIOThreadPool
    private let limits: PatchLimits

    private enum State {
        /// The first delivery of this id is being written; others with the id wait for its outcome.
        case reserving([CheckedContinuation<Void, Never>])
        case queued(PendingPatch)
        case applying(PendingPatch)
        case finished(receipt: URL, status: String)
    }

    private struct LedgerEntry {
        var contentHash: String
        var state: State
    }

    private var ledger: [String: LedgerEntry] = [:]
    private var nextSequence: UInt64 = 1
    /// Reserved sequences in arrival order; the executor takes the first once it is in `ready`.
    private var order: [UInt64] = []
    private var orderStart = 0
    private var ready: [UInt64: PendingPatch] = [:]
    /// Patches handed to the executor before their journal record is durable, with their bodies as parsed at
    /// intake: the executor may prepare them but changes nothing, and files nothing, until the record is on disk.
    private var early: [UInt64: (body: [UInt8], patch: Patch, durability: Durability)] = [:]
    /// Where each queued patch's body is in the journal.
    private var locations: [UInt64: JournalLocation] = [:]
    /// Unfinished patches per journal generation: a generation at zero is deleted.
    private var outstanding: [UInt64: Int] = [:]
    private let journal: IntakeJournal
    private var currentGeneration: UInt64 = 0
    private var receiptWaiters: [String: [UUID: CheckedContinuation<JSONValue?, Never>]] = [:]
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private var closed = false
    private var inHand: String?
    /// Patches with records in the intent log and no receipt filed yet; the log is emptied when none is left.
    private var unfiledIntents: Set<UInt64> = []
    /// Outcomes recovery decided for interrupted patches, filed by the executor when it reaches them.
    private var recovered: [UInt64: IntentRecovery.Outcome] = [:]
    /// Patches filed since the last checkpoint (sequence, journal generation): their receipts are not synced yet.
    private var unsynced: [(sequence: UInt64, generation: UInt64)] = []
    /// Workspace folders renamed into since the last checkpoint, synced by it.
    private let folderSyncs = DeferredFolderSyncs()
    /// Ids filed since the last checkpoint: their receipts and workspace renames are not durable yet.
    private var unsyncedIDs: Set<String> = []
    /// The receipts of those that someone waits for, handed over once the checkpoint has made them durable.
    private var awaitedReceipts: [String: JSONValue] = [:]
    private var recent: [JSONValue] = []
    private var tallies: [String: Int] = [:]
    /// Patches to apply one at a time under the durable applying marker, after the host died (sequence → id;
    /// see ``PoisonPolicy``). Empty in normal operation.
    private var suspects: [UInt64: String] = [:]
    /// Host deaths per unfinished patch, as saved at start (kept in `.ghost/crashes.json` at shutdown).
    private var crashDeaths: [PoisonPolicy.PatchKey: Int] = [:]
    /// Patches filed `crashed_host` at this start, for `/health` and status.
    private var crashedAtStart: [String] = []
    /// Those waiting for the suspects to be settled (see ``awaitSuspectsSettled()``).
    private var settledWaiters: [UUID: CheckedContinuation<Void, Never>] = [:]

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
        self.journal = IntakeJournal(folder: spool.journal)
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

    // MARK: Start

    /// Rebuilds the ledger from the receipts and the journal, so ids stay known across restarts, and queues
    /// again every journaled patch that has no receipt.
    func recover() async throws(ApplyError) {
        try spool.prepare()
        for (id, entry) in spool.finishedEntries() {
            ledger[id] = LedgerEntry(contentHash: entry.contentHash, state: .finished(receipt: entry.receipt, status: entry.status))
        }
        for record in try journal.recover().sorted(by: { $0.patch.sequence < $1.patch.sequence }) {
            nextSequence = max(nextSequence, record.patch.sequence + 1)
            // Finished (its receipt is on disk), or journaled twice: nothing to do.
            guard ledger[record.patch.id] == nil else { continue }
            ledger[record.patch.id] = LedgerEntry(contentHash: record.patch.contentHash, state: .queued(record.patch))
            order.append(record.patch.sequence)
            ready[record.patch.sequence] = record.patch
            locations[record.patch.sequence] = record.location
            outstanding[record.location.generation, default: 0] += 1
        }
        let interruptedAlone = try recoverIntents()
        try settleCrashes(interruptedAlone: interruptedAlone)
        try journal.start()
        currentGeneration = journal.generation
        for generation in journal.generations() where outstanding[generation] == nil && generation != currentGeneration {
            journal.retireOnDisk(generation)
        }
        metrics.depth(queue: name, depth)
    }

    private var depth: Int { order.count - orderStart }

    /// Finishes or undoes the patch that was being applied when the host stopped (see ``IntentRecovery``).
    /// Records of patches that were filed only leave temp files to clean up.
    /// - Returns: The patches that were in hand alone (not in a batch) and are queued again.
    private func recoverIntents() throws(ApplyError) -> [PoisonPolicy.PatchKey] {
        var interruptedAlone: [PoisonPolicy.PatchKey] = []
        let log = spool.intentLog
        // Sequence numbers start again at 1 when the journal is empty: a patch is its sequence and its id.
        let records = try log.records()
        // A record may belong to a patch whose intake record never became durable (the executor stages a
        // patch while that record is synced): no later patch may take its sequence while the log keeps it.
        if let last = records.map(\.sequence).max() { nextSequence = max(nextSequence, last + 1) }
        let byPatch = Dictionary(grouping: records, by: { "\($0.sequence) \($0.id)" })
        // Side files of filed patches are removed only after every unfiled one is recovered: they may share
        // a file, and an unfiled patch's staged new content is what recovery needs.
        var filedPaths: [String] = []
        defer { for path in filedPaths { workspace.removeLeftovers(of: path) } }
        for records in byPatch.values.sorted(by: { $0[0].sequence < $1[0].sequence }) {
            let first = records[0]
            // A batch's commit record names every patch in it; a crash while filing them leaves some filed.
            let members = records.last?.members
            let unfiled = (members?.map { ($0.sequence, $0.id) } ?? [(first.sequence, first.id)]).filter { sequence, id in
                guard ready[sequence]?.id == id, case .queued = ledger[id]?.state else { return false }
                return true
            }
            guard !unfiled.isEmpty else {
                filedPaths += records.flatMap(\.files).map(\.path)
                continue
            }
            let outcome = IntentRecovery.recover(records, in: workspace)
            logger.warning(
                "recovered a patch the host was applying when it stopped",
                metadata: ["id": "\(first.id)", "outcome": "\(outcome)", "batch": "\(members?.count ?? 1)"]
            )
            for (sequence, _) in unfiled {
                unfiledIntents.insert(sequence)
                let mine = members?.first { $0.sequence == sequence }.map { IntentRecovery.outcome(of: $0, inBatch: outcome) } ?? outcome
                if mine != .requeue { recovered[sequence] = mine }
            }
            if members == nil, outcome == .requeue { interruptedAlone.append(PoisonPolicy.PatchKey(sequence: first.sequence, id: first.id)) }
        }
        if unfiledIntents.isEmpty { log.reset() }
        return interruptedAlone
    }

    /// Counts a death of the host against the patch it was applying alone, files a patch that has killed it
    /// `crash_retries` times as `crashed_host`, and picks the patches to apply one at a time under the
    /// applying marker (see ``PoisonPolicy``). The state is saved, fsynced, before anything is applied.
    private func settleCrashes(interruptedAlone: [PoisonPolicy.PatchKey]) throws(ApplyError) {
        let unfinished = order[orderStart...].compactMap { sequence -> PoisonPolicy.PatchKey? in
            guard let pending = ready[sequence], recovered[sequence] == nil else { return nil }
            return PoisonPolicy.PatchKey(sequence: sequence, id: pending.id)
        }
        let previous = spool.crashState.load()
        let plan = PoisonPolicy.decide(
            PoisonPolicy.Evidence(
                previous: previous,
                marker: spool.applyingMarker.read(),
                interruptedAlone: interruptedAlone,
                unfinished: unfinished,
                crashRetries: config.crashRetries,
                maxBatch: Self.maxBatch
            )
        )
        if previous.running {
            logger.warning(
                "the host did not shut down cleanly",
                metadata: ["queue": "\(name)", "unfinished": "\(unfinished.count)", "suspects": "\(plan.suspects.count)"]
            )
        }
        for key in plan.died {
            metrics.hostDied(queue: name)
            logger.warning(
                "the host died while applying a patch alone",
                metadata: ["id": "\(key.id)", "deaths": "\(plan.state.deaths[key] ?? 0)", "crash_retries": "\(config.crashRetries)"]
            )
        }
        for (key, deaths) in plan.crashed.sorted(by: { $0.key < $1.key }) {
            recovered[key.sequence] = .failed(.crashedHost, PoisonPolicy.message(deaths: deaths, crashRetries: config.crashRetries))
            crashedAtStart.append(key.id)
            logger.error(
                "filing a patch as crashed_host: the host died each time it applied it",
                metadata: ["id": "\(key.id)", "deaths": "\(deaths)", "queue": "\(name)"]
            )
        }
        suspects = Dictionary(uniqueKeysWithValues: plan.suspects.map { ($0.sequence, $0.id) })
        crashDeaths = plan.state.deaths
        if !suspects.isEmpty { try spool.applyingMarker.prepare() }
        if plan.state != previous { try spool.crashState.save(plan.state) }
    }

    /// Saves that the host stopped cleanly: the next start counts no death.
    private func saveCleanShutdown() {
        let remaining = suspects.map { PoisonPolicy.PatchKey(sequence: $0.key, id: $0.value) }.sorted()
        do throws(ApplyError) {
            try spool.crashState.save(PoisonPolicy.CrashState(running: false, deaths: crashDeaths, suspects: remaining))
            spool.applyingMarker.clear()
        } catch {
            logger.error("cannot record a clean shutdown", metadata: ["queue": "\(name)", "error": "\(error)"])
        }
    }

    /// Returns once every suspect is settled (at once in normal operation), the executor has stopped, or the
    /// task is cancelled. The transports wait for it: after a death the patches in doubt are applied one by
    /// one before the host is reachable, so a poison patch is filed before the host says it listens, and an
    /// outside kill timed by its readiness (a supervisor's, a test's) does not land in one of them.
    func awaitSuspectsSettled() async {
        guard !suspects.isEmpty, !closed else { return }
        let token = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume() } else { settledWaiters[token] = continuation }
            }
        } onCancel: {
            Task { await self.releaseSettledWaiter(token) }
        }
    }

    private func releaseSettledWaiter(_ token: UUID) {
        settledWaiters.removeValue(forKey: token)?.resume()
    }

    private func resumeSettledWaiters() {
        for continuation in settledWaiters.values { continuation.resume() }
        settledWaiters = [:]
    }

    /// What `/health` notes about poison patches, if anything.
    private var poisonNote: String? {
        var parts: [String] = []
        if !crashedAtStart.isEmpty {
            parts.append("filed as crashed_host (the host died applying them): \(crashedAtStart.joined(separator: ", "))")
        }
        if !suspects.isEmpty { parts.append("the host died: \(suspects.count) patches are applied one at a time") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    // MARK: Intake

    /// Takes a delivery: checks it, reserves its id, writes it durably, then acknowledges.
    nonisolated func take(_ delivery: Delivery) async throws(ApplyError) -> Acceptance {
        if let rejection = delivery.rejection { throw await refuse(delivery, document: nil, rejection) }
        let document: JSONValue
        let patch: Patch
        do throws(JSONParseError) {
            document = try JSONParser.parse(delivery.body)
        } catch {
            throw await refuse(delivery, document: nil, ApplyError(.invalidJSON, "the body is not JSON: \(error)"))
        }
        do throws(ApplyError) {
            patch = try Patch.parse(document, limits: limits)
            try runner.validate(patch)
        } catch {
            throw await refuse(delivery, document: document, error)
        }
        let hash = Digest.sha256(document.serializedBytes)
        let name =
            delivery.inboxFile.map { SpoolName.normalized($0.lastPathComponent) }
            ?? SpoolName.forDelivery(id: patch.id, at: delivery.receivedAt)
        let reservation: Reservation
        do throws(ApplyError) {
            reservation = try await reserve(
                patch,
                body: delivery.body,
                hash: hash,
                source: delivery.source.rawValue,
                name: name,
                receivedAt: delivery.receivedAt
            )
        } catch {
            throw await refuse(delivery, document: document, error)
        }
        switch reservation {
        case .duplicate(let first, let receipt):
            metrics.duplicate(queue: config.name, role: patch.roleLabel)
            if let inboxFile = delivery.inboxFile { try await recordDuplicate(inboxFile, name: name, patch: patch, hash: hash, first: first) }
            return Acceptance(patchID: patch.id, queue: config.name, state: .duplicate, filepath: first, receipt: receipt)
        case .notJournaled(let error):
            throw error
        case .fresh(let pending, let location, let durability):
            do {
                try await durability.wait()
            } catch {
                await abandon(pending)
                throw error
            }
            if let inboxFile = delivery.inboxFile, unlink(inboxFile.path) != 0 {
                // The patch is journaled, so it is taken; an inbox file left behind (or brought back by a
                // crash, since this removal is not fsynced) is taken again as a duplicate, never applied twice.
                logger.warning("cannot remove a taken inbox file", metadata: ["file": "\(inboxFile.path)", "errno": "\(errno)"])
            }
            await commit(pending)
            metrics.received(queue: config.name, source: delivery.source.rawValue)
            return Acceptance(patchID: patch.id, queue: config.name, state: .queued, filepath: journal.path(location.generation))
        }
    }

    private enum Reservation {
        /// Reserved and on its way to the journal (the executor may start on it meanwhile).
        case fresh(PendingPatch, JournalLocation, Durability)
        case duplicate(firstPath: String, receipt: JSONValue?)
        /// Reserved, but its record could not be written: the reservation is let go, the delivery refused.
        case notJournaled(ApplyError)
    }

    /// Reserves the patch's id (or finds it taken) and, for a fresh one, hands its record to the journal and
    /// the patch to the executor, all in one visit to the actor.
    private func reserve(
        _ patch: Patch,
        body: [UInt8],
        hash: String,
        source: String,
        name: String,
        receivedAt: Date
    ) async throws(ApplyError) -> Reservation {
        let id = patch.id
        while let entry = ledger[id] {
            guard entry.contentHash == hash else {
                throw ApplyError(.idConflict, "id '\(id)' was already used in queue \(config.name) for a patch with other content")
            }
            switch entry.state {
            case .reserving:
                await withCheckedContinuation { continuation in
                    if case .reserving(var waiting) = ledger[id]?.state {
                        waiting.append(continuation)
                        ledger[id]?.state = .reserving(waiting)
                    } else {
                        continuation.resume()
                    }
                }
            case .queued(let pending), .applying(let pending):
                let generation = locations[pending.sequence]?.generation ?? 0
                return .duplicate(firstPath: journal.path(generation), receipt: nil)
            case .finished(let receiptURL, _):
                let receipt = try? JSONParser.parse(spool.read(receiptURL))
                let patchPath = receiptURL.deletingLastPathComponent().appendingPathComponent(
                    String(receiptURL.lastPathComponent.dropLast(".receipt.json".count)) + ".json",
                    isDirectory: false
                )
                return .duplicate(firstPath: patchPath.path, receipt: receipt)
            }
        }
        guard !closed else { throw ApplyError(.unavailable, "queue \(config.name) is shutting down") }
        let pending = PendingPatch(
            sequence: nextSequence,
            source: source,
            name: name,
            id: id,
            contentHash: hash,
            receivedAt: receivedAt
        )
        nextSequence += 1
        ledger[id] = LedgerEntry(contentHash: hash, state: .reserving([]))
        order.append(pending.sequence)
        do throws(ApplyError) {
            let (location, durability) = try journal.enqueue(pending, body: body)
            // The executor starts preparing the patch while its record goes to disk.
            publish(pending, at: location, body: body, patch: patch, durability: durability)
            return .fresh(pending, location, durability)
        } catch {
            abandon(pending)
            return .notJournaled(error)
        }
    }

    /// Makes a patch whose journal record is on its way to disk visible to the executor.
    private func publish(_ pending: PendingPatch, at location: JournalLocation, body: [UInt8], patch: Patch, durability: Durability) {
        ready[pending.sequence] = pending
        locations[pending.sequence] = location
        early[pending.sequence] = (body, patch, durability)
        outstanding[location.generation, default: 0] += 1
        if location.generation > currentGeneration {
            // The journal moved to a new file: older ones with nothing left in them can go.
            for old in currentGeneration..<location.generation where outstanding[old] == nil { journal.retireOnDisk(old) }
            currentGeneration = location.generation
        }
        metrics.depth(queue: config.name, depth)
        wake.yield()
    }

    /// The patch's record is durable: the delivery is acknowledged and the id known for good. The executor
    /// may have taken, or even finished, the patch by now.
    private func commit(_ pending: PendingPatch) {
        let waiting = reservationWaiters(pending.id)
        early[pending.sequence] = nil
        if case .reserving = ledger[pending.id]?.state {
            ledger[pending.id]?.state = ready[pending.sequence] != nil ? .queued(pending) : .applying(pending)
        }
        for continuation in waiting { continuation.resume() }
    }

    /// The delivery is refused: its record could not be written (or made durable).
    private func abandon(_ pending: PendingPatch) {
        let waiting = reservationWaiters(pending.id)
        ledger[pending.id] = nil
        if let index = order[orderStart...].firstIndex(of: pending.sequence) { order.remove(at: index) }
        if early.removeValue(forKey: pending.sequence) != nil {
            ready[pending.sequence] = nil
            if let generation = locations.removeValue(forKey: pending.sequence)?.generation {
                outstanding[generation, default: 1] -= 1
                if outstanding[generation] == 0 { outstanding[generation] = nil }
            }
        }
        for continuation in waiting { continuation.resume() }
        metrics.depth(queue: config.name, depth)
        wake.yield()
    }

    /// The executor let go of a patch whose record never became durable.
    private func dropped() { inHand = nil }

    private func reservationWaiters(_ id: String) -> [CheckedContinuation<Void, Never>] {
        if case .reserving(let waiting) = ledger[id]?.state { return waiting }
        return []
    }

    /// Records a delivery that is not queued. An inbox file is moved to `.failed/` with a receipt, since it
    /// cannot stay in the inbox; other transports just answer with the error.
    private nonisolated func refuse(_ delivery: Delivery, document: JSONValue?, _ error: ApplyError) async -> ApplyError {
        guard let inboxFile = delivery.inboxFile else { return error }
        var receipt = PatchRunner.rejected(
            document: document,
            error: error,
            options: runOptions(source: delivery.source.rawValue),
            receivedAt: delivery.receivedAt
        )
        // The ledger learns the id from this receipt, except for a conflict, whose id belongs to another patch.
        if let document, error.reason != .idConflict { receipt.contentSHA256 = Digest.sha256(document.serializedBytes) }
        let spool = self.spool
        let bytes = Self.bytes(receipt.json)
        do {
            _ = try await io.runIfActive {
                try spool.finish(.file(inboxFile), name: SpoolName.normalized(inboxFile.lastPathComponent), receipt: bytes, into: .failed)
            }
        } catch {
            logger.error("cannot move a refused inbox file to .failed", metadata: ["file": "\(inboxFile.path)", "error": "\(error)"])
            return ApplyError(.ioError, "\(error)")
        }
        metrics.finished(queue: config.name, role: receipt.role ?? "unknown", failedWith: error.reason.rawValue, duration: nil)
        await remember(receipt.json)
        return error
    }

    private nonisolated func recordDuplicate(_ inboxFile: URL, name: String, patch: Patch, hash: String, first: String) async throws(ApplyError) {
        var receipt = Receipt(id: patch.id, role: patch.roleLabel, queue: config.name, source: "inbox", status: .duplicate, receivedAt: Date())
        receipt.message = "same id and content as \(first); not applied again"
        receipt.finishedAt = Date()
        let spool = self.spool
        let bytes = Self.bytes(receipt.json)
        do {
            _ = try await io.runIfActive {
                try spool.recreatingFolders { () throws(ApplyError) in
                    try spool.finish(.file(inboxFile), name: name, receipt: bytes, into: .completed)
                }
            }
        } catch {
            throw (error as? ApplyError) ?? ApplyError(.ioError, "\(error)")
        }
        await remember(receipt.json)
    }

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
                if depth == 0 || unsynced.count >= 256 || !awaitedReceipts.isEmpty { await checkpoint() }
                if Task.isShuttingDownGracefully { break }
            }
            if Task.isShuttingDownGracefully { break }
        }
        await checkpoint()
        saveCleanShutdown()
        closed = true
        resumeSettledWaiters()
        for (_, waiting) in receiptWaiters { for continuation in waiting.values { continuation.resume(returning: nil) } }
        receiptWaiters = [:]
    }

    /// Starts the executor on patches recovered from the spool.
    func kick() { wake.yield() }

    /// The most patches applied together in one batch.
    static let maxBatch = 64

    /// The patches queued right behind the one just taken, ready and not interrupted by a crash, in order.
    private func readyAfterHead(limit: Int) -> [(PendingPatch, JournalLocation)] {
        var found: [(PendingPatch, JournalLocation)] = []
        var index = orderStart
        while found.count < limit, index < order.count, let pending = ready[order[index]], recovered[pending.sequence] == nil,
            early[pending.sequence] == nil, suspects[pending.sequence] == nil, let location = locations[pending.sequence]
        {
            found.append((pending, location))
            index += 1
        }
        return found
    }

    /// Reads and parses the patch taken and, when it only edits files, as many of `candidates` after it as
    /// also only edit files: the batch to apply together.
    private nonisolated func gather(first: (PendingPatch, JournalLocation), candidates: [(PendingPatch, JournalLocation)]) async -> [Prepared] {
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
    private func takeNext(_ sequence: UInt64) -> Bool {
        guard orderStart < order.count, order[orderStart] == sequence, ready[sequence] != nil else { return false }
        return takeNext() != nil
    }

    private func takeNext() -> (PendingPatch, JournalLocation, IntentRecovery.Outcome?)? {
        guard orderStart < order.count, let pending = ready.removeValue(forKey: order[orderStart]),
            let location = locations.removeValue(forKey: pending.sequence)
        else { return nil }
        orderStart += 1
        if orderStart > 1024 && orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
        // A patch whose record is not durable yet keeps its reservation: a duplicate waits for the outcome.
        if early[pending.sequence] == nil { ledger[pending.id]?.state = .applying(pending) }
        inHand = pending.id
        metrics.depth(queue: config.name, depth)
        return (pending, location, recovered.removeValue(forKey: pending.sequence))
    }

    /// A queued patch read back from the journal, with the copy for `.completed/` on its way to disk.
    private struct Prepared: Sendable {
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
    private struct Copies: Sendable {
        var patch: URL
        var receipt: Spool.ReservedFile?
    }

    /// Reads a patch's body from the journal and parses it.
    private nonisolated func prepare(_ pending: PendingPatch, from location: JournalLocation) -> Prepared {
        var prepared = Prepared(pending: pending, location: location, body: [])
        do throws(ApplyError) {
            prepared.body = try journal.body(at: location)
            prepared.patch = try Patch.parse(json: prepared.body, limits: limits)
        } catch {
            prepared.failure = error
        }
        return prepared
    }

    /// Starts writing the copy of a patch for `.completed/` on the I/O threads, while it applies.
    private nonisolated func startCopy(_ prepared: inout Prepared) {
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
    private nonisolated func apply(
        _ taken: Prepared,
        recovered: IntentRecovery.Outcome?,
        durability: Durability?,
        marker: PoisonPolicy.PatchKey? = nil
    ) async -> (json: JSONValue, url: URL?)? {
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
    private nonisolated func apply(_ batch: [Prepared]) async -> [(json: JSONValue, url: URL?)] {
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
        var filed: [(json: JSONValue, url: URL?)] = []
        for (prepared, receipt) in zip(batch, receipts) { filed.append(await file(prepared, receipt)) }
        return filed
    }

    /// Writes a finished patch and its receipt into `.completed/` or `.failed/` (not synced: the next
    /// checkpoint syncs every receipt filed since the last one at once).
    private nonisolated func file(_ prepared: Prepared, _ finished: Receipt) async -> (json: JSONValue, url: URL?) {
        let pending = prepared.pending
        var receipt = finished
        receipt.contentSHA256 = pending.contentHash
        let json = receipt.json
        metrics.finished(
            queue: config.name,
            role: receipt.role ?? "unknown",
            failedWith: receipt.status == .failed ? (receipt.reason?.rawValue ?? "unknown") : nil,
            duration: .milliseconds(Int64(receipt.durationMs)) + .microseconds(Int64(receipt.durationMs * 1000) % 1000)
        )
        let outcome: Spool.Outcome = receipt.status == .failed ? .failed : .completed
        let receiptBytes = Self.bytes(json)
        let body = prepared.body
        do {
            let placed: (patch: URL, receipt: URL)
            do throws(ApplyError) {
                let copied = try? await prepared.copy?.value
                let receiptTemp: URL
                if let reserved = copied?.receipt {
                    receiptTemp = try spool.fill(reserved, with: receiptBytes, label: pending.name)
                } else {
                    receiptTemp = try spool.writeTemporary(receiptBytes, label: pending.name, name: "\(pending.sequence).receipt", sync: false)
                }
                placed = try spool.place(
                    copied.map { .temporary($0.patch) } ?? .bytes(body),
                    receiptTemp: receiptTemp,
                    name: pending.name,
                    into: outcome,
                    durable: false
                )
            } catch {
                // Once more from scratch, only when the queue's folders were moved away (never after an
                // fsync error, which is not retried).
                guard spool.foldersMissing else { throw error }
                placed = try spool.recreatingFolders { () throws(ApplyError) in
                    try spool.finish(.bytes(body), name: pending.name, receipt: receiptBytes, into: outcome)
                }
            }
            return (json, placed.receipt)
        } catch {
            logger.critical("applied patch could not be filed", metadata: ["id": "\(pending.id)", "error": "\(error)"])
            return (json, nil)
        }
    }

    /// The receipt of a patch recovery finished or failed.
    private static func receipt(_ outcome: IntentRecovery.Outcome, for patch: Patch, options: RunOptions, receivedAt: Date) -> Receipt {
        var receipt = Receipt(for: patch, options: options, receivedAt: receivedAt)
        receipt.extra["recovered"] = true
        switch outcome {
        case .unchanged(let files):
            receipt.status = .unchanged
            receipt.files = files
            receipt.message = "the host stopped after this patch's batch was committed; recovery finished it"
        case .applied(let files):
            receipt.files = files
            receipt.message = "the host stopped after this patch was committed; recovery finished it (its diff and step output are not kept)"
        case .failed(let reason, let message):
            receipt.status = .failed
            receipt.reason = reason
            receipt.message = message
        case .requeue:
            break
        }
        receipt.finishedAt = Date()
        return receipt
    }

    private func finished(_ pending: PendingPatch, at location: JournalLocation, receipt: (json: JSONValue, url: URL?)) {
        let status = receipt.json["status"]?.stringValue ?? "failed"
        // Its intent records and its journal record stay until the receipt is durable (the next checkpoint);
        // a patch that could not be filed keeps them for the next start.
        unfiledIntents.insert(pending.sequence)
        if let url = receipt.url {
            unsynced.append((pending.sequence, location.generation))
            // A patch started before its record was durable can finish before intake hears so: deliveries
            // of the same id waiting on the reservation are let go here, to find the receipt.
            let waiting = reservationWaiters(pending.id)
            ledger[pending.id]?.state = .finished(receipt: url, status: status)
            for continuation in waiting { continuation.resume() }
        }
        inHand = nil
        remember(receipt.json)
        // Someone waiting for the outcome gets it once it is durable: at the checkpoint, which comes next.
        if receipt.url != nil {
            unsyncedIDs.insert(pending.id)
            if receiptWaiters[pending.id] != nil { awaitedReceipts[pending.id] = receipt.json }
        } else {
            for continuation in (receiptWaiters.removeValue(forKey: pending.id) ?? [:]).values {
                continuation.resume(returning: receipt.json)
            }
        }
    }

    /// Makes the receipts filed since the last checkpoint, and the workspace renames of their patches,
    /// durable with one file-system sync (plus a folder sync for workspace folders on another file system),
    /// then lets go of what only they needed: their intent records and, once a journal file has no
    /// unfinished patch left, the file. Runs when the queue is empty, every 256 patches, when someone waits
    /// for a filed receipt, and at shutdown. After a failed sync nothing is let go of: recovery at the next
    /// start settles those patches from the journal and the intent log.
    private func checkpoint() async {
        guard !unsynced.isEmpty else { return }
        let batch = unsynced
        let ids = unsyncedIDs
        unsynced = []
        let synced = await syncSpool()
        // Waiters that came while the sync ran are handed their receipt too.
        unsyncedIDs.subtract(ids)
        for id in ids {
            guard let json = awaitedReceipts.removeValue(forKey: id) else { continue }
            for continuation in (receiptWaiters.removeValue(forKey: id) ?? [:]).values { continuation.resume(returning: json) }
        }
        guard synced else {
            logger.critical("the file system reported a write-back error; receipts filed since the last sync are not trusted")
            return
        }
        for (sequence, generation) in batch {
            unfiledIntents.remove(sequence)
            outstanding[generation, default: 1] -= 1
            if outstanding[generation] == 0 {
                outstanding[generation] = nil
                if generation != currentGeneration { journal.retireOnDisk(generation) }
            }
        }
        if unfiledIntents.isEmpty { spool.intentLog.reset() }
    }

    /// The sync itself, on the executor's thread rather than the actor's.
    private nonisolated func syncSpool() async -> Bool {
        let synced = spool.syncAll()
        return folderSyncs.sync(in: workspace, skipping: synced ? spool.device : nil) && synced
    }

    private func remember(_ json: JSONValue) {
        tallies[json["status"]?.stringValue ?? "failed", default: 0] += 1
        recent.append(Receipt.summary(of: json))
        if recent.count > 10 { recent.removeFirst(recent.count - 10) }
    }

    // MARK: Results

    /// The receipt once the patch has finished, waiting at most `timeout`.
    func waitForReceipt(id: String, timeout: Duration) async -> JSONValue? {
        guard let entry = ledger[id] else { return nil }
        if case .finished(let url, _) = entry.state {
            guard let receipt = try? JSONParser.parse(spool.read(url)) else { return nil }
            // Filed but not durable yet: handed over after the checkpoint the executor is about to run.
            guard unsyncedIDs.contains(id), !closed else { return receipt }
            awaitedReceipts[id] = receipt
        }
        if closed { return nil }
        let token = UUID()
        let expiry = Task {
            try? await Task.sleep(for: timeout)
            self.expire(id: id, token: token)
        }
        defer { expiry.cancel() }
        return await withCheckedContinuation { continuation in
            receiptWaiters[id, default: [:]][token] = continuation
        }
    }

    private func expire(id: String, token: UUID) {
        receiptWaiters[id]?.removeValue(forKey: token)?.resume(returning: nil)
        if receiptWaiters[id]?.isEmpty == true { receiptWaiters[id] = nil }
    }

    /// The receipt of a finished patch, or its state; `nil` when the id is unknown here.
    func lookup(id: String) -> JSONValue? {
        guard let entry = ledger[id] else { return nil }
        let state: String
        switch entry.state {
        case .finished(let url, _):
            if let receipt = try? JSONParser.parse(spool.read(url)) { return receipt }
            state = "finished"
        case .reserving, .queued: state = "queued"
        case .applying: state = "applying"
        }
        return ["id": .string(id), "queue": .string(config.name), "status": .string(state)]
    }

    /// Depth, the patch in hand, counts and the last results.
    func status() -> JSONValue {
        var object: [String: JSONValue] = [
            "dir": .string(config.directory.path),
            "workspace": .string(config.workspace.path),
            "depth": .number(Double(depth)),
            "in_hand": inHand.map(JSONValue.string) ?? .null,
            "recent": .array(recent),
        ]
        if !crashedAtStart.isEmpty { object["crashed_host"] = .array(crashedAtStart.map(JSONValue.string)) }
        if !suspects.isEmpty { object["applied_alone_after_death"] = .number(Double(suspects.count)) }
        object["counts"] = .object(tallies.mapValues { .number(Double($0)) })
        return .object(object)
    }

    private nonisolated func runOptions(source: String) -> RunOptions {
        RunOptions(shellPolicy: config.shell, queue: config.name, source: source, limits: limits)
    }

    static func bytes(_ json: JSONValue) -> [UInt8] {
        var bytes = json.serializedBytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
