import ApplierAPI
import Foundation
import Logging
import PostgresNIO
import Supervision
import Synchronization
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
    /// The wake-up of each queue this host applies: how intake and `NOTIFY` wake its executor, and how it is
    /// told to stop.
    nonisolated let wakeups = Mutex<[String: QueueWakeup]>([:])
    /// The queues this host applies now: their fence and executor.
    private var held: [String: (fence: Int64, task: Task<Void, Never>)] = [:]
    /// Queues this host may not own: its workspace is not the one the database knows.
    private var refused: Set<String> = []
    /// Queues whose workspace this host has told the database it reaches.
    private var reaches: Set<String> = []
    private let startedAt = Date()
    /// When this host last swept the store by retention.
    private var sweptAt = ContinuousClock.now
    /// The HTTP address this host listens on, once bound (shown in the fleet's status).
    private var address: String?

    /// Records the bound HTTP address.
    func listening(on address: String) { self.address = address }

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
    }

    /// Wakes the executor of `queue` if this host runs it.
    nonisolated func wake(_ queue: String) { wakeups.withLock { $0[queue] }?.signal() }

    /// Stops the executor of `queue` after the patch in hand.
    private func stopExecutor(_ queue: String) { wakeups.withLock { $0.removeValue(forKey: queue) }?.stop() }

    /// The loop; on cancellation (shutdown) every executor ends after the patch in hand, and the loop returns
    /// once they have (the database pool stops only then).
    func run() async throws {
        await health.set(Self.componentName, .up)
        while !Task.isCancelled {
            do {
                try await tick()
                await health.set(Self.componentName, .up)
            } catch {
                let message = SharedStore.unavailable(error).message
                logger.warning("cannot renew or take leases", metadata: ["error": "\(message)"])
                await health.set(Self.componentName, .degraded, error: message)
            }
            try? await Task.sleep(for: settings.lease / 3)
        }
        for (queue, entry) in held {
            stopExecutor(queue)
            await entry.task.value
        }
    }

    /// One round: heartbeat, renewals, takes.
    func tick() async throws {
        // Renewals first: nothing else this round may make a lease run out.
        let kept = try await store.renew(held.mapValues(\.fence), lease: settings.lease)
        for (queue, entry) in held where !kept.contains(queue) {
            logger.notice("lost the lease of a queue (moved or taken over); its executor stops", metadata: ["queue": "\(queue)"])
            stopExecutor(queue)
            held[queue] = nil
            await health.set("executor:\(queue)", .stopped)
        }
        for queue in config.queues where held[queue.name] == nil && !refused.contains(queue.name) {
            try await consider(queue)
        }
        try await store.heartbeat(startedAt: startedAt, address: address)
        if ContinuousClock.now - sweptAt > .seconds(60) {
            sweptAt = ContinuousClock.now
            let removed = try await store.sweep(config.queues)
            if removed > 0 { logger.info("retention removed finished patches from the shared store", metadata: ["rows": "\(removed)"]) }
        }
        // What every host's status and alerts say of the fleet's queues.
        for state in try await store.queueStates() where config.queue(named: state.queue) != nil {
            let component = "queue:\(state.queue)"
            if !state.alive && state.depth > 0 {
                await health.set(
                    component,
                    .degraded,
                    error: "its owner \(state.owner) is down: \(state.depth) acknowledged patches wait in the database"
                )
            } else if state.paused, let reason = state.pauseReason {
                await health.set(component, .degraded, error: "paused: \(reason)")
            } else {
                await health.set(component, .up)
            }
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
            // The queue's first owner in this database: what the folder remembers came from another database.
            if known == nil { try marker.forgetApplied() }
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
                reserved: reserved
            )
            let wakeup = QueueWakeup()
            wakeups.withLock { $0[queue.name] = wakeup }
            let executor = SharedExecutor(
                config: queue,
                store: store,
                workspace: workspace,
                marker: marker,
                runner: runner,
                fence: fence,
                wakeup: wakeup,
                poll: settings.poll,
                claimTimeout: claimTimeout(queue),
                health: health,
                logger: logger
            )
            logger.notice("applying queue", metadata: ["queue": "\(queue.name)", "fence": "\(fence)"])
            held[queue.name] = (
                fence,
                Task {
                    await executor.run()
                    await self.ended(queue.name, fence: fence)
                }
            )
        } catch let error as ApplyError {
            // Let the lease run out so that a host that reaches the workspace takes the queue. Another workspace
            // than the database's is refused for good; anything else (an I/O error) is tried again next round.
            logger.error("cannot own queue", metadata: ["queue": "\(queue.name)", "error": "\(error.message)"])
            await health.set("executor:\(queue.name)", .degraded, error: error.message)
            if error.reason == .conflict { refused.insert(queue.name) }
            _ = try? await store.write("UPDATE ghost_leases SET lease_until = now() WHERE queue = \(queue.name) AND fence = \(fence)")
        }
    }

    /// An executor ended on its own (another host took the queue, or its fence is gone from the workspace):
    /// the queue is no longer held, so the next round renews nothing for it and may take it again.
    private func ended(_ queue: String, fence: Int64) {
        guard held[queue]?.fence == fence else { return }
        held[queue] = nil
        _ = wakeups.withLock { $0.removeValue(forKey: queue) }
    }

    /// How long a claim of `queue` may keep its transaction open: three leases, plus the longest a step of it
    /// may run (its shell timeout, the slowest plugin's).
    private func claimTimeout(_ queue: QueueConfig) -> Duration {
        let shell = queue.shell.enabled ? queue.shell.timeout : .zero
        let plugins = config.roles.map(\.timeout).max() ?? .zero
        return settings.lease * 3 + shell + plugins
    }

    /// Listens for `ghost_wake` notifications (one per committed patch) and wakes the queue's executor;
    /// reconnects after a failure (the executors poll meanwhile).
    func listen() async throws {
        while !Task.isCancelled {
            do {
                try await store.client.withConnection { connection in
                    try await connection.listen(on: "ghost_wake") { notifications in
                        await self.health.set("wakeups", .up)
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
}
