import ApplierAPI
import Foundation
import Logging
import PostgresNIO
import Supervision

/// Applies one shared-store queue on the host that owns it, one patch per database transaction, in sequence
/// order: lock the queue's row (`FOR UPDATE SKIP LOCKED`), read its head again, apply it to the workspace
/// (or find it already applied in the ``WorkspaceMarker``), record the receipt, advance the queue's applied
/// sequence where the lease still has this host's fence, commit.
///
/// A patch's own failure is filed and the queue goes on. A failure of the infrastructure (the database, the
/// workspace's disk) leaves the head where it is and backs off; a head that fails that way
/// ``infrastructureRetries`` times in a row pauses the queue, with the reason, for an operator.
struct SharedExecutor: Sendable {
    let config: QueueConfig
    let store: SharedStore
    let workspace: Workspace
    let marker: WorkspaceMarker
    let runner: PatchRunner
    /// The fence this host took the queue with.
    let fence: Int64
    let wakeup: QueueWakeup
    let poll: Duration
    /// How long the server lets a claim's transaction sit idle while the patch runs (its longest step and a
    /// lease): past it, the server ends the session, so a frozen host does not hold the queue forever.
    let claimTimeout: Duration
    let health: HealthBoard
    let logger: Logger

    /// Failures of the infrastructure on one head before its queue is paused.
    static let infrastructureRetries = 5

    /// The executor's component name on the health board.
    var component: String { "executor:\(config.name)" }

    /// What one claim did.
    enum Step: Equatable {
        /// A patch was filed: look for the next at once.
        case filed
        /// Nothing to apply, the queue is paused, or its row is locked by another transaction.
        case idle
        /// Another host holds the queue now: this executor ends.
        case lost
        /// The workspace failed under the head (`io_error`); nothing was recorded.
        case infrastructure(String)
    }

    /// Applies patches until told to stop (``QueueWakeup/stop()``: the patch in hand is filed first) or until
    /// the queue is taken by another host.
    func run() async {
        await health.set(component, .up)
        var failures = 0
        var backoff = Duration.milliseconds(100)
        while !wakeup.isStopped {
            let step: Step
            do {
                step = try await claim()
            } catch {
                logger.warning(
                    "the shared store failed; retrying",
                    metadata: ["queue": "\(config.name)", "error": "\(SharedStore.unavailable(error).message)"]
                )
                await health.set(component, .degraded, error: SharedStore.unavailable(error).message)
                await wakeup.wait(timeout: backoff)
                backoff = min(backoff * 2, .seconds(5))
                continue
            }
            switch step {
            case .filed:
                if failures > 0 || backoff > .milliseconds(100) { await health.set(component, .up) }
                failures = 0
                backoff = .milliseconds(100)
            case .idle:
                if backoff > .milliseconds(100) { await health.set(component, .up) }
                backoff = .milliseconds(100)
                await wakeup.wait(timeout: poll)
            case .lost:
                logger.notice("another host took the queue over; this host stops applying it", metadata: ["queue": "\(config.name)"])
                return
            case .infrastructure(let message):
                failures += 1
                await health.set(component, .degraded, error: message)
                if failures >= Self.infrastructureRetries {
                    await pause(reason: "the head failed \(failures) times in a row on this host's infrastructure: \(message)")
                    failures = 0
                }
                await wakeup.wait(timeout: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    /// The head of the queue, as the claim reads it.
    private struct Head {
        var sequence: Int64
        var id: String
        var body: [UInt8]
        var source: Receipt.Source
        var receivedAt: Date
        var status: String
    }

    /// One claim, in one transaction.
    func claim() async throws -> Step {
        try await store.claims.withConnection { connection in
            try await store.query("BEGIN", on: connection)
            do {
                let (step, commit) = try await claim(on: connection)
                try await store.query(commit ? "COMMIT" : "ROLLBACK", on: connection)
                return step
            } catch {
                _ = try? await store.query("ROLLBACK", on: connection)
                throw error
            }
        }
    }

    /// The claim's statements; returns what happened and whether to commit.
    private func claim(on connection: PostgresConnection) async throws -> (Step, Bool) {
        let name = config.name
        // First the lock; then, in a new statement (a new snapshot), the head: read in the same statement as
        // the lock, the head could predate a commit that moved the queue on.
        var applied: Int64?
        var paused = false
        let idle = String(Int64(claimTimeout.components.seconds) * 1_000)
        for try await (sequence, isPaused, _) in try await store.query(
            """
            SELECT applied_seq, paused, set_config('idle_in_transaction_session_timeout', \(idle), true)
            FROM ghost_queues WHERE name = \(name) FOR UPDATE SKIP LOCKED
            """,
            on: connection
        ).decode((Int64, Bool, String).self) {
            applied = sequence
            paused = isPaused
        }
        guard let applied else { return (.idle, false) }
        var owner: (String, Int64)?
        var head: Head?
        let rows = try await store.query(
            """
            SELECT l.owner, l.fence, p.seq, p.id, p.body, p.source, p.received_at, p.status
            FROM ghost_leases l LEFT JOIN LATERAL (
                SELECT seq, id, body, source, received_at, status FROM ghost_patches
                WHERE queue = l.queue AND seq > \(applied) ORDER BY seq LIMIT 1) p ON true
            WHERE l.queue = \(name)
            """,
            on: connection
        )
        for try await (leaseOwner, leaseFence, sequence, id, body, source, receivedAt, status) in rows.decode(
            (String, Int64, Int64?, String?, ByteBuffer?, String?, Date?, String?).self
        ) {
            owner = (leaseOwner, leaseFence)
            if let sequence, let id, let body, let receivedAt, let status {
                head = Head(
                    sequence: sequence,
                    id: id,
                    body: Array(buffer: body),
                    source: source.flatMap(Receipt.Source.init(rawValue:)) ?? .http,
                    receivedAt: receivedAt,
                    status: status
                )
            }
        }
        guard let owner, owner.0 == store.node, owner.1 == fence, (try? marker.checkFence(fence)) != nil else { return (.lost, false) }
        // Under the queue's lock: the patch a host was applying when it stopped (this one, or the owner before
        // it) is settled before anything else, so its outcome is in the marker when the head is read below.
        try await recoverInterrupted(on: connection)
        guard !paused, let head else { return (.idle, false) }
        let receipt: [UInt8]?
        if let done = marker.applied(), done.sequence >= head.sequence {
            // Applied to the workspace before the host (this one, or the owner before it) could commit; checked
            // before a cancel, which may have been recorded after the apply whose commit was lost.
            logger.notice(
                "the workspace already has this patch; filing its receipt without applying it again",
                metadata: ["queue": "\(name)", "id": "\(head.id)", "sequence": "\(head.sequence)"]
            )
            receipt = done.sequence == head.sequence ? done.receipt : Self.appliedEarlier(head, queue: name)
        } else if head.status != "queued" {
            // Taken out of the queue before it ran (a cancel): the queue moves past it.
            receipt = nil
        } else {
            let ran = await apply(head)
            // Fenced off while it ran: nothing was written, and nothing is recorded.
            guard (try? marker.checkFence(fence)) != nil else { return (.lost, false) }
            if ran.reason == .ioError { return (.infrastructure(ran.message ?? "io_error"), false) }
            receipt = ran.json.serializedBytes
            do {
                try marker.markApplied(WorkspaceMarker.Applied(sequence: head.sequence, fence: fence, receipt: receipt!))
            } catch {
                // The intent log keeps the patch's records: the next claim settles them before anything else.
                return (.infrastructure("cannot write the queue marker: \(error.message)"), false)
            }
            marker.intentLog.reset()
        }
        let finished = try await finish(head.sequence, receipt: receipt, on: connection)
        return finished ? (.filed, true) : (.lost, false)
    }

    /// Runs the head on the workspace, its commit guarded by this host's fence.
    private func apply(_ head: Head) async -> Receipt {
        let options = config.runOptions(source: head.source)
        let patch: Patch
        do {
            patch = try Patch.parse(json: head.body, limits: config.limits)
        } catch {
            var rejected = Receipt.rejected(document: nil, error: error, options: options, receivedAt: head.receivedAt)
            rejected.id = head.id
            return rejected
        }
        let (marker, fence) = (marker, fence)
        var intent = IntentContext(log: marker.intentLog, sequence: UInt64(head.sequence), id: head.id)
        intent.commitGuard = { () throws(ApplyError) in try marker.checkFence(fence) }
        return await runner.run(patch, in: workspace, options: options, receivedAt: head.receivedAt, intent: intent)
    }

    /// Records the head's receipt (none: it was cancelled before) and advances the queue, where the lease
    /// still has this host's fence. Returns false when it does not: another host took the queue.
    private func finish(_ sequence: Int64, receipt: [UInt8]?, on connection: PostgresConnection) async throws -> Bool {
        let name = config.name
        var status: String?
        var reason: String?
        if let receipt, let json = try? JSONParser.parse(receipt) {
            status = json["status"]?.stringValue
            reason = json["reason"]?.stringValue
        }
        let text = receipt.map { String(decoding: $0, as: UTF8.self) }
        let rows = try await store.query(
            """
            WITH done AS (
                UPDATE ghost_patches SET status = COALESCE(\(status), status), reason = COALESCE(\(reason), reason),
                    finished_at = COALESCE(finished_at, now()), applied_by = \(store.node), fence = \(fence),
                    receipt = COALESCE(\(text), receipt)
                WHERE queue = \(name) AND seq = \(sequence) RETURNING seq)
            UPDATE ghost_queues SET applied_seq = \(sequence)
            WHERE name = \(name) AND EXISTS (SELECT 1 FROM done)
                AND EXISTS (SELECT 1 FROM ghost_leases WHERE queue = \(name) AND owner = \(store.node) AND fence = \(fence))
            RETURNING applied_seq
            """,
            on: connection
        )
        for try await _ in rows.decode(Int64.self) { return true }
        return false
    }

    /// Pauses the queue in the database, with why: it stays paused until an operator resumes it.
    private func pause(reason: String) async {
        logger.critical(
            "pausing the queue: its head keeps failing on the infrastructure",
            metadata: ["queue": "\(config.name)", "reason": "\(reason)"]
        )
        await health.set(component, .degraded, error: "paused: \(reason)")
        _ = try? await store.query("UPDATE ghost_queues SET paused = true, pause_reason = \(reason) WHERE name = \(config.name)")
    }

    /// A receipt for a head the marker shows as applied under an earlier sequence than its own: only a
    /// database restored from an older backup gets there.
    private static func appliedEarlier(_ head: Head, queue: String) -> [UInt8] {
        var receipt = Receipt(id: head.id, role: nil, queue: queue, source: head.source, status: .failed, receivedAt: head.receivedAt)
        receipt.reason = .conflict
        receipt.message = "the workspace records later patches than this one as applied (was the database restored from a backup?): not applied"
        receipt.finishedAt = Date()
        return receipt.json.serializedBytes
    }

    /// Settles the patch a host was applying when it stopped, from the intent log on the workspace's storage
    /// (see ``IntentRecovery``), and records its outcome in the marker before the log is emptied. Runs under
    /// the queue's lock, at every claim (an empty log costs one read).
    func recoverInterrupted(on connection: PostgresConnection) async throws {
        let records = try marker.intentLog.records()
        guard !records.isEmpty else { return }
        let done = marker.applied()?.sequence ?? 0
        if let first = records.first(where: { Int64($0.sequence) > done }) {
            let mine = records.filter { $0.sequence == first.sequence }
            // Read first: nothing in the workspace changes before the outcome can be recorded.
            var found: (Patch, Receipt.Source, Date)?
            for try await (body, source, receivedAt) in try await store.query(
                "SELECT body, source, received_at FROM ghost_patches WHERE queue = \(config.name) AND seq = \(Int64(first.sequence))",
                on: connection
            ).decode((ByteBuffer, String, Date).self) {
                found = (try Patch.parse(json: Array(buffer: body), limits: config.limits), Receipt.Source(rawValue: source) ?? .http, receivedAt)
            }
            let outcome = IntentRecovery.recover(mine, in: workspace)
            logger.warning(
                "recovered the patch the queue's last owner was applying when it stopped",
                metadata: ["queue": "\(config.name)", "id": "\(first.id)", "outcome": "\(outcome)"]
            )
            if outcome != .requeue, let (patch, source, receivedAt) = found {
                let receipt = Receipt.recovered(outcome, for: patch, options: config.runOptions(source: source), receivedAt: receivedAt)
                try marker.markApplied(
                    WorkspaceMarker.Applied(sequence: Int64(first.sequence), fence: fence, receipt: receipt.json.serializedBytes)
                )
            }
        }
        for record in records where Int64(record.sequence) <= done {
            for file in record.files { workspace.removeLeftovers(of: file.path) }
        }
        marker.intentLog.reset()
    }
}
