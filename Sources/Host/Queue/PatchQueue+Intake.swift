import ApplierAPI
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Transport

/// Intake: a delivery checked, reserved in the ledger, written durably, then acknowledged.
extension PatchQueue {
    // MARK: Intake

    /// Takes a delivery: checks it (``QueueIntake``), reserves its id, writes it durably, then acknowledges.
    nonisolated func take(_ delivery: Delivery) async throws(ApplyError) -> Acceptance {
        let checked: QueueIntake.Checked
        do throws(QueueIntake.Refusal) {
            checked = try intake.check(delivery)
        } catch {
            throw await refuse(delivery, error)
        }
        let patch = checked.patch
        let reservation: Reservation
        do throws(ApplyError) {
            reservation = try await reserve(
                patch,
                body: delivery.body,
                hash: checked.hash,
                source: checked.source,
                name: checked.name,
                receivedAt: delivery.receivedAt
            )
        } catch {
            throw await refuse(delivery, QueueIntake.Refusal(document: checked.document, error: error))
        }
        switch reservation {
        case .duplicate(let first, let receipt, let note):
            metrics.duplicate(queue: config.name, role: patch.roleLabel)
            if let inboxFile = delivery.inboxFile {
                let receipt = Receipt.duplicate(of: patch, queue: config.name, source: checked.source, first: first)
                await filedInbox(try await filer.fileInbox(inboxFile, name: checked.name, receipt: receipt), kind: .duplicate)
            }
            return Acceptance(
                patchID: patch.id,
                queue: config.name,
                state: .duplicate,
                filepath: first,
                receipt: receipt?.json,
                attempt: receipt?.attempt ?? 1,
                note: note
            )
        case .notJournaled(let error):
            throw error
        case .fresh(let pending, let location, let durability, let note):
            let acceptance = try await acknowledge(pending, at: location, durability: durability, note: note, inboxFile: delivery.inboxFile)
            metrics.received(queue: config.name, source: checked.source)
            return acceptance
        }
    }

    /// Waits for a fresh patch's record to be durable, then acknowledges it (and removes its inbox file).
    nonisolated func acknowledge(
        _ pending: PendingPatch,
        at location: JournalLocation,
        durability: Durability,
        note: String?,
        inboxFile: URL? = nil
    ) async throws(ApplyError) -> Acceptance {
        do {
            try await durability.wait()
        } catch {
            await abandon(pending)
            throw error
        }
        if let inboxFile, unlink(inboxFile.path) != 0 {
            // The patch is journaled, so it is taken; an inbox file left behind (or brought back by a
            // crash, since this removal is not fsynced) is taken again as a duplicate, never applied twice.
            logger.warning("cannot remove a taken inbox file", metadata: ["file": "\(inboxFile.path)", "errno": "\(errno)"])
        }
        await commit(pending)
        return Acceptance(
            patchID: pending.id,
            queue: config.name,
            state: .queued,
            filepath: store.intakePath(location.generation),
            attempt: pending.attempt,
            note: note
        )
    }

    /// Refuses a delivery (see ``QueueIntake/refuse(_:_:)``); a refused inbox file goes to the history.
    nonisolated func refuse(_ delivery: Delivery, _ refusal: QueueIntake.Refusal) async -> ApplyError {
        let (error, filed) = await intake.refuse(delivery, refusal)
        if let filed { await filedInbox(filed, kind: .refused) }
        return error
    }

    enum Reservation {
        /// Reserved and on its way to the journal (the executor may start on it meanwhile); `note` says why
        /// an id seen before runs again.
        case fresh(PendingPatch, JournalLocation, Durability, note: String?)
        case duplicate(firstPath: String, receipt: Receipt?, note: String?)
        /// Reserved, but its record could not be written: the reservation is let go, the delivery refused.
        case notJournaled(ApplyError)
    }

    /// Reserves the patch's id (or finds it taken) and, for a fresh one, hands its record to the journal and
    /// the patch to the executor, all in one visit to the actor.
    ///
    /// The same id and content sent again is a duplicate, unless its last attempt failed and changed nothing
    /// (``Receipt/changedNothing``): then it runs again as the next attempt.
    func reserve(
        _ patch: Patch,
        body: [UInt8],
        hash: String,
        source: Receipt.Source,
        name: String,
        receivedAt: Date
    ) async throws(ApplyError) -> Reservation {
        let id = patch.id
        while true {
            var known = ledger.known(id, hash: hash)
            while known == .reserving {
                await withCheckedContinuation { continuation in
                    if case .reserving = ledger.state(of: id) {
                        reservationWaiters[id, default: []].append(continuation)
                    } else {
                        continuation.resume()
                    }
                }
                known = ledger.known(id, hash: hash)
            }
            switch known {
            case .reserving, .unknown:
                break
            case .conflict:
                throw conflict(id)
            case .unfinished(let generation):
                return .duplicate(firstPath: store.intakePath(generation ?? 0), receipt: nil, note: nil)
            case .finished(let receiptURL):
                let receipt = spool.receipt(at: receiptURL)
                if receipt?.changedNothing == true {
                    // The failed attempt goes to the history first: the ledger holds one state per id.
                    try await recordFinished(id)
                    continue
                }
                let patchPath = receiptURL.deletingLastPathComponent().appendingPathComponent(
                    SpoolName.patch(forReceipt: receiptURL.lastPathComponent),
                    isDirectory: false
                )
                return .duplicate(firstPath: patchPath.path, receipt: receipt, note: receipt.flatMap(retryHint))
            }
            break
        }
        try requireOpen()
        let latest = try store.latest(id: id)
        var note: String?
        if let entry = latest, entry.finishedAt >= store.dedupCutoff(now: receivedAt) {
            guard entry.contentHash == hash else { throw conflict(id) }
            let receipt = store.receipt(of: entry)
            // A receipt retention deleted no longer says whether the attempt changed anything.
            guard entry.receipt != nil, let receipt, receipt.changedNothing else {
                return .duplicate(firstPath: store.patchPath(of: entry), receipt: receipt, note: receipt.flatMap(retryHint))
            }
            note =
                "attempt \(entry.attempt + 1): attempt \(entry.attempt) failed (\(receipt.reason?.rawValue ?? "failed")) and changed nothing, so it runs again"
        }
        // Past the window an id is a new run: its own attempt number keeps it apart from the earlier ones.
        let attempt = (latest?.attempt ?? 0) + 1
        let pending = ledger.reserve(id: id, hash: hash, source: source, name: name, receivedAt: receivedAt, attempt: attempt)
        return enqueue(pending, patch: patch, body: body, note: note)
    }

    /// Hands a reserved patch's record to the journal and the patch to the executor.
    func enqueue(_ pending: PendingPatch, patch: Patch, body: [UInt8], note: String?) -> Reservation {
        do throws(ApplyError) {
            let (location, durability) = try store.enqueue(pending, body: body)
            // The executor starts preparing the patch while its record goes to disk.
            publish(pending, at: location, body: body, patch: patch, durability: durability)
            return .fresh(pending, location, durability, note: note)
        } catch {
            abandon(pending)
            return .notJournaled(error)
        }
    }

    /// For a duplicate of a failed patch that did change something: how to run it again.
    func retryHint(_ receipt: Receipt) -> String? {
        guard receipt.status == .failed, let id = receipt.id else { return nil }
        return "patch \(id) failed before (\(receipt.reason?.rawValue ?? "failed")) and is not run again on its own, since it may have "
            + "changed something; run `ghost retry \(id)` (POST /api/patches/\(id)/retry) to run it again"
    }

    /// If `id` has finished and is not in the history yet, runs a checkpoint so that it is (and leaves the
    /// ledger); `unavailable` when the history could not be written.
    func recordFinished(_ id: String) async throws(ApplyError) {
        guard case .finished? = ledger.state(of: id) else { return }
        await checkpoint()
        if case .finished? = ledger.state(of: id) {
            throw ApplyError(.unavailable, "the history index could not be written; try again")
        }
    }

    func conflict(_ id: String) -> ApplyError {
        ApplyError(.idConflict, "id '\(id)' was already used in queue \(config.name) for a patch with other content")
    }

    /// Makes a patch whose journal record is on its way to disk visible to the executor.
    func publish(_ pending: PendingPatch, at location: JournalLocation, body: [UInt8], patch: Patch, durability: Durability) {
        early[pending.sequence] = (body, patch, durability)
        // The journal moved to a new file: older ones with nothing left in them can go.
        let retired = ledger.publish(pending, at: location)
        if !retired.isEmpty {
            // Off the actor: retiring fsyncs the history, and this is intake's path.
            let store = self.store
            Task.detached { for old in retired { store.retire(old) } }
        }
        metrics.depth(queue: config.name, depth)
        wake.yield()
    }

    /// The patch's record is durable: the delivery is acknowledged and the id known for good.
    func commit(_ pending: PendingPatch) {
        early[pending.sequence] = nil
        ledger.commit(pending)
        resumeReservationWaiters(pending.id)
    }

    /// The delivery is refused: its record could not be written (or made durable).
    func abandon(_ pending: PendingPatch) {
        ledger.abandon(pending, published: early.removeValue(forKey: pending.sequence) != nil)
        resumeReservationWaiters(pending.id)
        metrics.depth(queue: config.name, depth)
        wake.yield()
    }

    /// The executor let go of a patch whose record never became durable.
    func dropped() { inHand = nil }

    /// Lets the deliveries waiting on `id`'s reservation look again.
    func resumeReservationWaiters(_ id: String) {
        for continuation in reservationWaiters.removeValue(forKey: id) ?? [] { continuation.resume() }
    }
}
