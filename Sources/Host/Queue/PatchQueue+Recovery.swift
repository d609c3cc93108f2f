import ApplierAPI
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Transport

/// Start: the ledger rebuilt from receipts and the journal, interrupted patches recovered, and deaths of the
/// host counted against the patch it was applying (poison patches).
extension PatchQueue {
    // MARK: Start

    /// Queues again every journaled patch that has not finished. Finished patches are asked of the history,
    /// never read from the receipt folders, so a start costs the same whatever the history's size; the only
    /// receipts read are those of journaled patches the history does not know (filed after its last write).
    func recover() async throws(ApplyError) {
        try spool.prepare()
        if let rebuilt = store.rebuiltAtOpen {
            logger.notice(
                "built the history index from the receipt files",
                metadata: ["queue": "\(name)", "patches": "\(rebuilt.patches)", "duration": "\(rebuilt.duration)"]
            )
        }
        var found: [HistoryEntry] = []
        for record in try store.recoverIntake().sorted(by: { $0.patch.sequence < $1.patch.sequence }) {
            let patch = record.patch
            ledger.noteSequence(patch.sequence)
            // Journaled twice, or finished: nothing to do.
            guard ledger.state(of: patch.id) == nil else { continue }
            // This run is in the history (whatever the dedup window says now): it finished.
            if let entry = try store.latest(id: patch.id), entry.attempt >= patch.attempt { continue }
            if let entry = store.finishedSinceLastRecord(patch) {
                found.append(entry)
                continue
            }
            _ = ledger.restore(record)
        }
        // Patches filed after the history's last write: recorded before their journal records can go.
        try store.record(found)
        let interruptedAlone = try recoverIntents()
        try settleCrashes(interruptedAlone: interruptedAlone)
        ledger.paused = spool.pausedMarker.isSet
        if ledger.paused { logger.notice("queue is paused; `ghost resume` starts it again", metadata: ["queue": "\(name)"]) }
        try store.startIntake()
        for generation in ledger.startIntake(generation: store.intakeGeneration, onDisk: store.intakeGenerations()) {
            store.retire(generation)
        }
        metrics.depth(queue: name, depth)
        let store = self.store
        let logger = self.logger
        Task.detached(priority: .utility) {
            do throws(ApplyError) {
                try store.warmUp()
            } catch {
                logger.warning("cannot load the id filter; every new id is looked up in the index", metadata: ["error": "\(error)"])
            }
        }
    }

    var depth: Int { ledger.depth }

    /// Finishes or undoes the patch that was being applied when the host stopped (see ``IntentRecovery``).
    /// Records of patches that were filed only leave temp files to clean up.
    /// - Returns: The patches that were in hand alone (not in a batch) and are queued again.
    func recoverIntents() throws(ApplyError) -> [PoisonPolicy.PatchKey] {
        var interruptedAlone: [PoisonPolicy.PatchKey] = []
        let log = spool.intentLog
        // Sequence numbers start again at 1 when the journal is empty: a patch is its sequence and its id.
        let records = try log.records()
        // A record may belong to a patch whose intake record never became durable (the executor stages a
        // patch while that record is synced): no later patch may take its sequence while the log keeps it.
        if let last = records.map(\.sequence).max() { ledger.noteSequence(last) }
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
                ledger.isQueued(sequence, id: id)
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
                checkpoints.holdIntents(of: sequence)
                let mine = members?.first { $0.sequence == sequence }.map { IntentRecovery.outcome(of: $0, inBatch: outcome) } ?? outcome
                if mine != .requeue { recovered[sequence] = mine }
            }
            if members == nil, outcome == .requeue { interruptedAlone.append(PoisonPolicy.PatchKey(sequence: first.sequence, id: first.id)) }
        }
        if checkpoints.intentLogIsSettled { log.reset() }
        return interruptedAlone
    }

    /// Counts a death of the host against the patch it was applying alone, files a patch that has killed it
    /// `crash_retries` times as `crashed_host`, and picks the patches to apply one at a time under the
    /// applying marker (see ``PoisonPolicy``). The state is saved, fsynced, before anything is applied.
    func settleCrashes(interruptedAlone: [PoisonPolicy.PatchKey]) throws(ApplyError) {
        let unfinished = ledger.unfinished.filter { recovered[$0.sequence] == nil }.map {
            PoisonPolicy.PatchKey(sequence: $0.sequence, id: $0.id)
        }
        let previous = spool.crashState.load()
        let plan = PoisonPolicy.decide(
            PoisonPolicy.Evidence(
                previous: previous,
                marker: spool.applyingMarker.read(),
                interruptedAlone: interruptedAlone,
                unfinished: unfinished,
                crashRetries: config.crashRetries,
                maxBatch: QueueExecutor.maxBatch
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
    func saveCleanShutdown() {
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

    func releaseSettledWaiter(_ token: UUID) {
        settledWaiters.removeValue(forKey: token)?.resume()
    }

    func resumeSettledWaiters() {
        for continuation in settledWaiters.values { continuation.resume() }
        settledWaiters = [:]
    }

    /// What `/health` notes about poison patches, if anything.
    var poisonNote: String? {
        var parts: [String] = []
        if !crashedAtStart.isEmpty {
            parts.append("filed as crashed_host (the host died applying them): \(crashedAtStart.joined(separator: ", "))")
        }
        if !suspects.isEmpty { parts.append("the host died: \(suspects.count) patches are applied one at a time") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}
