import ApplierAPI
import Foundation
import Logging
import PostgresNIO
import Supervision
import Transport

/// Which queues this host applies, decided with the database: every third of a lease it renews the leases
/// it holds (a queue whose lease it lost, to a move or a takeover, stops at once), takes the queues the
/// database says are its own (at start, after a move), and takes over a queue whose owner's lease has run
/// out when this host reaches the same workspace. Each taken queue gets a new fence, written to the
/// workspace's ``WorkspaceMarker`` before its ``SharedExecutor`` starts.
actor SharedOwnership {
    /// The component name of the ownership loop.
    static let componentName = "ownership"

    let config: GhostConfig
    let settings: SharedStoreSettings
    let store: SharedStore
    nonisolated let runner: PatchRunner
    let reserved: [String]
    let health: HealthBoard
    let logger: Logger
    /// One per configured queue: how intake and `NOTIFY` wake its executor.
    nonisolated let wakeups: [String: QueueWakeup]
    /// The queues this host applies now: their fence and executor.
    private var held: [String: (fence: Int64, task: Task<Void, Never>)] = [:]
    /// Queues this host may not own: its workspace is not the one the database knows.
    private var refused: Set<String> = []
    /// Queues whose workspace this host has told the database it reaches.
    private var reaches: Set<String> = []
    private let startedAt = Date()

    init(
        config: GhostConfig,
        settings: SharedStoreSettings,
        store: SharedStore,
        runner: PatchRunner,
        reserved: [String],
        health: HealthBoard,
        logger: Logger
    ) {
        self.config = config
        self.settings = settings
        self.store = store
        self.runner = runner
        self.reserved = reserved
        self.health = health
        self.logger = logger
        wakeups = Dictionary(uniqueKeysWithValues: config.queues.map { ($0.name, QueueWakeup()) })
    }

    /// Wakes the executor of `queue` if this host runs it.
    nonisolated func wake(_ queue: String) { wakeups[queue]?.signal() }

    /// The loop; on cancellation (shutdown) every executor ends after the patch in hand.
    func run() async throws {
        await health.set(Self.componentName, .up)
        defer { for (_, entry) in held { entry.task.cancel() } }
        while !Task.isCancelled {
            do {
                try await tick()
                await health.set(Self.componentName, .up)
            } catch {
                let message = SharedStore.unavailable(error).message
                logger.warning("cannot renew or take leases", metadata: ["error": "\(message)"])
                await health.set(Self.componentName, .degraded, error: message)
            }
            try await Task.sleep(for: settings.lease / 3)
        }
        for (_, entry) in held { await entry.task.value }
    }

    /// One round: heartbeat, renewals, takes.
    func tick() async throws {
        try await store.heartbeat(startedAt: startedAt, address: "\(config.http.host):\(config.http.port)")
        let kept = try await store.renew(held.mapValues(\.fence), lease: settings.lease)
        for (queue, entry) in held where !kept.contains(queue) {
            logger.notice("lost the lease of a queue (moved or taken over); its executor stops", metadata: ["queue": "\(queue)"])
            entry.task.cancel()
            held[queue] = nil
            await health.set("executor:\(queue)", .stopped)
        }
        for queue in config.queues where held[queue.name] == nil && !refused.contains(queue.name) {
            try await consider(queue)
        }
    }

    /// Tells the database this host reaches the queue's workspace (when it does), then tries to take it.
    private func consider(_ queue: QueueConfig) async throws {
        let marker = WorkspaceMarker(workspace: queue.workspace, queue: queue.name)
        let known = try await store.knownWorkspaceID(queue: queue.name)
        if !reaches.contains(queue.name), let known, marker.workspaceID() == known {
            try await store.registerReach(queue: queue.name, workspaceID: known)
            reaches.insert(queue.name)
        }
        guard let fence = try await store.acquire(queue: queue.name, lease: settings.lease) else { return }
        do {
            try queue.prepareWorkspace()
            let local = try marker.prepare()
            let standing = try await store.workspaceID(queue: queue.name, proposed: local)
            guard standing == local else {
                throw ApplyError(
                    .conflict,
                    "the workspace \(queue.workspace.path) is not the one the database knows for this queue (its id \(standing)); "
                        + "this host does not apply it"
                )
            }
            if !reaches.contains(queue.name) {
                try await store.registerReach(queue: queue.name, workspaceID: local)
                reaches.insert(queue.name)
            }
            try marker.takeFence(fence)
            let workspace = try Workspace(
                root: queue.workspace.path,
                aliases: queue.aliases,
                reserved: reserved + [queue.workspace.appendingPathComponent(WorkspaceMarker.folderName).standardizedFileURL.path]
            )
            let executor = SharedExecutor(
                config: queue,
                store: store,
                workspace: workspace,
                marker: marker,
                runner: runner,
                fence: fence,
                wakeup: wakeups[queue.name]!,
                poll: settings.poll,
                health: health,
                logger: logger
            )
            logger.notice("applying queue", metadata: ["queue": "\(queue.name)", "fence": "\(fence)"])
            held[queue.name] = (fence, Task { await executor.run() })
        } catch let error as ApplyError {
            // Let the lease run out so that a host that reaches the workspace takes the queue.
            logger.error("cannot own queue", metadata: ["queue": "\(queue.name)", "error": "\(error.message)"])
            await health.set("executor:\(queue.name)", .degraded, error: error.message)
            refused.insert(queue.name)
            _ = try? await store.query("UPDATE ghost_leases SET lease_until = now() WHERE queue = \(queue.name) AND fence = \(fence)")
        }
    }

    /// Listens for `ghost_wake` notifications (one per committed patch) and wakes the queue's executor;
    /// reconnects after a failure (the executors poll meanwhile).
    func listen() async throws {
        while !Task.isCancelled {
            do {
                try await store.client.withConnection { connection in
                    try await connection.listen(on: "ghost_wake") { notifications in
                        for try await notification in notifications { self.wake(notification.payload) }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("the wake-up listener lost its connection; reconnecting", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    // MARK: Reads for the API

    /// The receipt of the latest run of `id` in `queue`, once filed.
    nonisolated func receipt(id: String, queue: String) async throws -> JSONValue? {
        let rows = try await store.query("SELECT receipt FROM ghost_patches WHERE queue = \(queue) AND id = \(id) ORDER BY seq DESC LIMIT 1")
        for try await receipt in rows.decode(String?.self) {
            return receipt.flatMap { try? JSONParser.parse(Array($0.utf8)) }
        }
        return nil
    }

    /// The receipt (or the state) of `id` in the queue that has it, `defaultQueue` first.
    nonisolated func lookup(id: String, defaultQueue: String) async throws -> JSONValue? {
        let rows = try await store.query(
            """
            SELECT queue, status, receipt FROM ghost_patches WHERE id = \(id)
            ORDER BY (queue = \(defaultQueue)) DESC, seq DESC LIMIT 1
            """
        )
        for try await (queue, status, receipt) in rows.decode((String, String, String?).self) {
            if let receipt, let json = try? JSONParser.parse(Array(receipt.utf8)) { return json }
            return ["id": .string(id), "queue": .string(queue), "status": .string(status)]
        }
        return nil
    }

    /// Every queue and host of the fleet, and whether a queue with patches waits for an owner that is down.
    nonisolated func fleetStatus() async throws -> (queues: JSONValue, nodes: JSONValue, healthy: Bool) {
        var queues: [String: JSONValue] = [:]
        var healthy = true
        let rows = try await store.query(
            """
            SELECT q.name, q.applied_seq, c.next_seq - 1, q.paused, q.pause_reason, l.owner, l.fence, l.lease_until > now(),
                (SELECT count(*) FROM ghost_patches p WHERE p.queue = q.name AND p.status = 'failed')
            FROM ghost_queues q JOIN ghost_counters c ON c.queue = q.name JOIN ghost_leases l ON l.queue = q.name
            """
        )
        for try await (name, applied, last, paused, pauseReason, owner, fence, alive, failed) in rows.decode(
            (String, Int64, Int64, Bool, String?, String, Int64, Bool, Int64).self
        ) {
            let depth = last - applied
            var entry: [String: JSONValue] = [
                "owner": .string(owner), "owner_alive": .bool(alive), "fence": .number(Double(fence)), "depth": .number(Double(depth)),
                "applied_seq": .number(Double(applied)), "last_seq": .number(Double(last)), "paused": .bool(paused),
                "failed": .number(Double(failed)),
            ]
            if let pauseReason, paused { entry["pause_reason"] = .string(pauseReason) }
            if !alive && depth > 0 {
                entry["waiting"] = .string("its owner \(owner) is down: \(depth) acknowledged patches wait in the database")
                healthy = false
            }
            if paused && pauseReason != nil { healthy = false }
            queues[name] = .object(entry)
        }
        var nodes: [String: JSONValue] = [:]
        for try await (name, seen, address) in try await store.query("SELECT name, seen_at, address FROM ghost_nodes").decode(
            (String, Date, String?).self
        ) {
            nodes[name] = ["seen_at": .string(ISO8601DateFormatter().string(from: seen)), "address": address.map(JSONValue.string) ?? .null]
        }
        return (.object(queues), .object(nodes), healthy)
    }

    /// Pauses or resumes `queue` for every host.
    nonisolated func setPaused(_ paused: Bool, queue: String) async throws {
        try await store.query("UPDATE ghost_queues SET paused = \(paused), pause_reason = NULL WHERE name = \(queue)")
    }
}
