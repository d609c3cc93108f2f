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
        try await store.transaction(on: store.claims) { connection in try await claim(on: connection) }
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
        var heads: [Head] = []
        let rows = try await store.query(
            """
            SELECT l.owner, l.fence, p.seq, p.id, p.body, p.source, p.received_at, p.status
            FROM ghost_leases l LEFT JOIN LATERAL (
                SELECT seq, id, body, source, received_at, status FROM ghost_patches
                WHERE queue = l.queue AND seq > \(applied) ORDER BY seq LIMIT \(Int64(Self.maxBatch))) p ON true
            WHERE l.queue = \(name)
            ORDER BY p.seq
            """,
            on: connection
        )
        for try await (leaseOwner, leaseFence, sequence, id, body, source, receivedAt, status) in rows.decode(
            (String, Int64, Int64?, String?, ByteBuffer?, String?, Date?, String?).self
        ) {
            owner = (leaseOwner, leaseFence)
            if let sequence, let id, let body, let receivedAt, let status {
                heads.append(
                    Head(
                        sequence: sequence,
                        id: id,
                        body: Array(buffer: body),
                        source: source.flatMap(Receipt.Source.init(rawValue:)) ?? .http,
                        receivedAt: receivedAt,
                        status: status
                    )
                )
            }
        }
        guard let owner, owner.0 == store.node, owner.1 == fence, (try? marker.checkFence(fence)) != nil else { return (.lost, false) }
        // Under the queue's lock: the patches a host was applying when it stopped (this one, or the owner before
        // it) are settled before anything else, so their outcome is in the marker when the head is looked at.
        try await recoverInterrupted(on: connection)
        guard !paused, let head = heads.first else { return (.idle, false) }
        let filed: [Filed]
        if let done = marker.applied(), done.sequence >= head.sequence {
            // Applied to the workspace before the host (this one, or the owner before it) could commit; checked
            // before a cancel, which may have been recorded after the apply whose commit was lost.
            logger.notice(
                "the workspace already has this patch; filing its receipt without applying it again",
                metadata: ["queue": "\(name)", "id": "\(head.id)", "sequence": "\(head.sequence)"]
            )
            // Its before-images were not kept past the apply: its revert is refused, as after a crash on one host.
            filed = [Filed(sequence: head.sequence, receipt: done.receipts[head.sequence] ?? Self.appliedEarlier(head, queue: name))]
        } else if head.status != "queued" {
            // Taken out of the queue before it ran (a cancel): the queue moves past it.
            filed = [Filed(sequence: head.sequence, receipt: nil)]
        } else {
            let ran = await apply(heads)
            // Fenced off while it ran: nothing was written, and nothing is recorded.
            guard (try? marker.checkFence(fence)) != nil else { return (.lost, false) }
            if let failed = ran.first(where: { $0.receipt.reason == .ioError }) {
                return (.infrastructure(failed.receipt.message ?? "io_error"), false)
            }
            let receipts = ran.map { (sequence: $0.head.sequence, receipt: $0.receipt.json.serializedBytes) }
            do {
                try marker.markApplied(
                    WorkspaceMarker.Applied(
                        sequence: receipts[receipts.count - 1].sequence,
                        fence: fence,
                        receipts: Dictionary(uniqueKeysWithValues: receipts)
                    )
                )
            } catch {
                // The intent log keeps the patches' records: the next claim settles them before anything else.
                return (.infrastructure("cannot write the queue marker: \(error.message)"), false)
            }
            marker.intentLog.reset()
            filed = zip(receipts, ran).map { entry, run in
                Filed(
                    sequence: entry.sequence,
                    receipt: entry.receipt,
                    beforeImages: run.receipt.status == .applied ? run.receipt.beforeImages?.encoded : nil
                )
            }
        }
        let finished = try await finish(filed, on: connection)
        return finished ? (.filed, true) : (.lost, false)
    }

    /// The most patches one claim applies together (content-only ones, as on one host).
    static let maxBatch = 32

    /// Runs the head on the workspace and, when it only edits files, the queued content-only patches right
    /// behind it, as one transaction (``PatchRunner``'s batch), its commits guarded by this host's fence.
    private func apply(_ heads: [Head]) async -> [(head: Head, receipt: Receipt)] {
        let first = heads[0]
        let options = config.runOptions(source: first.source)
        let patch: Patch
        do {
            patch = try Patch.parse(json: first.body, limits: config.limits)
        } catch {
            var rejected = Receipt.rejected(document: nil, error: error, options: options, receivedAt: first.receivedAt)
            rejected.id = first.id
            return [(first, rejected)]
        }
        var members: [(head: Head, patch: Patch)] = [(first, patch)]
        if runner.isContentOnly(patch) {
            for head in heads.dropFirst() {
                guard head.status == "queued", let next = try? Patch.parse(json: head.body, limits: config.limits), runner.isContentOnly(next) else {
                    break
                }
                members.append((head, next))
            }
        }
        let (marker, fence) = (marker, fence)
        var intent = IntentContext(log: marker.intentLog, sequence: UInt64(first.sequence), id: first.id)
        intent.commitGuard = { () throws(ApplyError) in try marker.checkFence(fence) }
        if members.count == 1 {
            return [(first, await runner.run(patch, in: workspace, options: options, receivedAt: first.receivedAt, intent: intent))]
        }
        let batch = members.map { member in
            PatchRunner.BatchMember(
                patch: member.patch,
                sequence: UInt64(member.head.sequence),
                options: config.runOptions(source: member.head.source),
                receivedAt: member.head.receivedAt
            )
        }
        let receipts = await runner.run(batch, in: workspace, intent: intent)
        return Array(zip(members.map(\.head), receipts))
    }

    /// What a claim records of one patch.
    private struct Filed {
        var sequence: Int64
        /// Its receipt; `nil` keeps the row's (a patch cancelled before it ran).
        var receipt: [UInt8]?
        /// What the files it changed were before it (encoded ``BeforeImages``), for its revert.
        var beforeImages: [UInt8]?
    }

    /// Records the receipts and advances the queue to the last of them, where the lease still has this
    /// host's fence. Returns false when it does not: another host took the queue.
    private func finish(_ entries: [Filed], on connection: PostgresConnection) async throws -> Bool {
        let name = config.name
        var sequences: [Int64] = []
        var statuses: [String] = []
        var reasons: [String] = []
        var texts: [String] = []
        var images: [ByteBuffer] = []
        for entry in entries {
            let json = entry.receipt.flatMap { try? JSONParser.parse($0) }
            sequences.append(entry.sequence)
            // An empty text keeps what the row has (a cancelled patch's receipt); empty images are none.
            statuses.append(json?["status"]?.stringValue ?? "")
            reasons.append(json?["reason"]?.stringValue ?? "")
            texts.append(entry.receipt.map { String(decoding: $0, as: UTF8.self) } ?? "")
            images.append(ByteBuffer(bytes: entry.beforeImages ?? []))
        }
        let rows = try await store.query(
            """
            WITH r AS (SELECT * FROM unnest(\(sequences)::int8[], \(statuses)::text[], \(reasons)::text[], \(texts)::text[],
                        \(images)::bytea[]) AS r(seq, status, reason, receipt, images)),
                done AS (
                    UPDATE ghost_patches p SET status = COALESCE(NULLIF(r.status, ''), p.status),
                        reason = COALESCE(NULLIF(r.reason, ''), p.reason), finished_at = COALESCE(p.finished_at, now()),
                        applied_by = \(store.node), fence = \(fence), receipt = COALESCE(NULLIF(r.receipt, ''), p.receipt),
                        before_images = NULLIF(r.images, ''::bytea)
                    FROM r WHERE p.queue = \(name) AND p.seq = r.seq RETURNING p.seq)
            UPDATE ghost_queues SET applied_seq = \(sequences[sequences.count - 1])
            WHERE name = \(name) AND (SELECT count(*) FROM done) = \(Int64(sequences.count))
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
        _ = try? await store.write("UPDATE ghost_queues SET paused = true, pause_reason = \(reason) WHERE name = \(config.name)")
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

    /// Settles the patches a host was applying when it stopped, from the intent log on the workspace's storage
    /// (see ``IntentRecovery``; a batch too large for one commit is several transactions, in order), and
    /// records their outcomes in the marker before the log is emptied. Runs under the queue's lock, at every
    /// claim (an empty log costs one read).
    func recoverInterrupted(on connection: PostgresConnection) async throws {
        let records = try marker.intentLog.records()
        guard !records.isEmpty else { return }
        let done = marker.applied()?.sequence ?? 0
        let transactions = Dictionary(grouping: records.filter { Int64($0.sequence) > done }, by: \.sequence).sorted { $0.key < $1.key }
        // Read first: nothing in the workspace changes before the outcomes can be recorded.
        var wanted: [Int64] = []
        for (sequence, records) in transactions {
            wanted += records.last?.members.map { $0.map { Int64($0.sequence) } } ?? [Int64(sequence)]
        }
        var patches: [Int64: (patch: Patch, source: Receipt.Source, receivedAt: Date)] = [:]
        if !wanted.isEmpty {
            for try await (sequence, body, source, receivedAt) in try await store.query(
                "SELECT seq, body, source, received_at FROM ghost_patches WHERE queue = \(config.name) AND seq = ANY(\(wanted)::int8[])",
                on: connection
            ).decode((Int64, ByteBuffer, String, Date).self) {
                patches[sequence] = (
                    try Patch.parse(json: Array(buffer: body), limits: config.limits), Receipt.Source(rawValue: source) ?? .http, receivedAt
                )
            }
        }
        var receipts: [Int64: [UInt8]] = [:]
        for (sequence, records) in transactions {
            let outcome = IntentRecovery.recover(records, in: workspace)
            logger.warning(
                "recovered patches the queue's last owner was applying when it stopped",
                metadata: ["queue": "\(config.name)", "first": "\(records[0].id)", "outcome": "\(outcome)"]
            )
            let outcomes =
                records.last?.members.map { members in
                    members.map { (Int64($0.sequence), IntentRecovery.outcome(of: $0, inBatch: outcome)) }
                } ?? [(Int64(sequence), outcome)]
            for (member, settled) in outcomes where settled != .requeue {
                guard let found = patches[member] else { continue }
                let receipt = Receipt.recovered(
                    settled,
                    for: found.patch,
                    options: config.runOptions(source: found.source),
                    receivedAt: found.receivedAt
                )
                receipts[member] = receipt.json.serializedBytes
            }
        }
        if let last = receipts.keys.max() {
            try marker.markApplied(WorkspaceMarker.Applied(sequence: last, fence: fence, receipts: receipts))
        }
        for record in records where Int64(record.sequence) <= done {
            for file in record.files { workspace.removeLeftovers(of: file.path) }
        }
        marker.intentLog.reset()
    }
}
