import ApplierAPI
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Transport

/// Intake: a delivery checked, reserved in the ledger, written durably, then acknowledged.
extension PatchQueue {
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
            return Acceptance(patchID: patch.id, queue: config.name, state: .queued, filepath: store.intakePath(location.generation))
        }
    }

    enum Reservation {
        /// Reserved and on its way to the journal (the executor may start on it meanwhile).
        case fresh(PendingPatch, JournalLocation, Durability)
        case duplicate(firstPath: String, receipt: JSONValue?)
        /// Reserved, but its record could not be written: the reservation is let go, the delivery refused.
        case notJournaled(ApplyError)
    }

    /// Reserves the patch's id (or finds it taken) and, for a fresh one, hands its record to the journal and
    /// the patch to the executor, all in one visit to the actor.
    func reserve(
        _ patch: Patch,
        body: [UInt8],
        hash: String,
        source: String,
        name: String,
        receivedAt: Date
    ) async throws(ApplyError) -> Reservation {
        let id = patch.id
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
            return .duplicate(firstPath: store.intakePath(generation ?? 0), receipt: nil)
        case .finished(let receiptURL):
            let receipt = try? JSONParser.parse(spool.read(receiptURL))
            let patchPath = receiptURL.deletingLastPathComponent().appendingPathComponent(
                SpoolName.patch(forReceipt: receiptURL.lastPathComponent),
                isDirectory: false
            )
            return .duplicate(firstPath: patchPath.path, receipt: receipt)
        }
        guard !closed else { throw ApplyError(.unavailable, "queue \(config.name) is shutting down") }
        let latest = try store.latest(id: id)
        if let entry = latest, entry.finishedAt >= store.dedupCutoff(now: receivedAt) {
            guard entry.contentHash == hash else { throw conflict(id) }
            return .duplicate(firstPath: store.patchPath(of: entry), receipt: store.receipt(of: entry))
        }
        // Past the window an id is a new run: its own attempt number keeps it apart from the earlier ones.
        let attempt = (latest?.attempt ?? 0) + 1
        let pending = ledger.reserve(id: id, hash: hash, source: source, name: name, receivedAt: receivedAt, attempt: attempt)
        do throws(ApplyError) {
            let (location, durability) = try store.enqueue(pending, body: body)
            // The executor starts preparing the patch while its record goes to disk.
            publish(pending, at: location, body: body, patch: patch, durability: durability)
            return .fresh(pending, location, durability)
        } catch {
            abandon(pending)
            return .notJournaled(error)
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

    /// Records a delivery that is not queued. An inbox file is moved to `.failed/` with a receipt, since it
    /// cannot stay in the inbox; other transports just answer with the error.
    nonisolated func refuse(_ delivery: Delivery, document: JSONValue?, _ error: ApplyError) async -> ApplyError {
        guard let inboxFile = delivery.inboxFile else { return error }
        var receipt = PatchRunner.rejected(
            document: document,
            error: error,
            options: runOptions(source: delivery.source.rawValue),
            receivedAt: delivery.receivedAt
        )
        // The hash says what was sent; the id stays free (a corrected patch under it is a new patch).
        if let document, error.reason != .idConflict { receipt.contentSHA256 = Digest.sha256(document.serializedBytes) }
        receipt.refused = true
        let spool = self.spool
        let bytes = Self.bytes(receipt.json)
        let placed: (patch: URL, receipt: URL)
        do {
            placed = try await io.runIfActive {
                try spool.finish(.file(inboxFile), name: SpoolName.normalized(inboxFile.lastPathComponent), receipt: bytes, into: .failed)
            }
        } catch {
            logger.error("cannot move a refused inbox file to .failed", metadata: ["file": "\(inboxFile.path)", "error": "\(error)"])
            return ApplyError(.ioError, "\(error)")
        }
        metrics.finished(queue: config.name, role: receipt.role ?? "unknown", failedWith: error.reason.rawValue, duration: nil)
        await remember(receipt, json: receipt.json, filedAt: placed.receipt, kind: .refused)
        return error
    }

    nonisolated func recordDuplicate(_ inboxFile: URL, name: String, patch: Patch, hash: String, first: String) async throws(ApplyError) {
        var receipt = Receipt(id: patch.id, role: patch.roleLabel, queue: config.name, source: "inbox", status: .duplicate, receivedAt: Date())
        receipt.message = "same id and content as \(first); not applied again"
        receipt.finishedAt = Date()
        let spool = self.spool
        let bytes = Self.bytes(receipt.json)
        let placed: (patch: URL, receipt: URL)
        do {
            placed = try await io.runIfActive {
                try spool.recreatingFolders { () throws(ApplyError) in
                    try spool.finish(.file(inboxFile), name: name, receipt: bytes, into: .completed)
                }
            }
        } catch {
            throw (error as? ApplyError) ?? ApplyError(.ioError, "\(error)")
        }
        await remember(receipt, json: receipt.json, filedAt: placed.receipt, kind: .duplicate)
    }
}
