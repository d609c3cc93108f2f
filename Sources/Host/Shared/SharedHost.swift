public import ApplierAPI
import Foundation
public import Logging
import NIOPosix
import PostgresNIO
import ServiceLifecycle
public import Supervision
public import Transport
import UnixSignals

/// `ghost serve` with a shared store (`store: {postgres: ...}`): one of many hosts on one PostgreSQL.
///
/// Every host takes patches for every queue on every transport; a patch is acknowledged once its row is
/// committed. Each queue is applied only by the host that holds its lease (``SharedOwnership``), in
/// sequence order, one patch per transaction (``SharedExecutor``). Receipts, status and lookups read the
/// database, so any host answers for the whole fleet. See `docs/many-hosts.md`.
public struct SharedHost: PatchIntake {
    /// The configuration the host runs.
    public let config: GhostConfig
    /// Every component's state.
    public let health = HealthBoard()
    let settings: SharedStoreSettings
    let store: SharedStore
    let ownership: SharedOwnership
    let metrics: HostMetrics
    let logger: Logger
    let io: NIOThreadPool
    let intakes: [String: QueueIntake]
    let batcher: IntakeBatcher

    /// A host of the fleet `config.store` names; nothing connects before ``run(stdin:onListening:)``.
    public init(config: GhostConfig, registry: ApplierRegistry, logger: Logger) throws(ApplyError) {
        guard let settings = config.store, let url = PostgresURL(settings.url) else {
            throw ApplyError(.invalidPatch, "the configuration names no shared store")
        }
        self.config = config
        self.settings = settings
        self.logger = logger
        metrics = HostMetrics(appliers: registry)
        io = NIOThreadPool(numberOfThreads: 4)
        io.start()
        let runner = PatchRunner(registry: registry)
        store = SharedStore(url: url, node: config.nodeName, lease: settings.lease, claimConnections: config.queues.count + 1, logger: logger)
        batcher = IntakeBatcher(store: store)
        var intakes: [String: QueueIntake] = [:]
        for queue in config.queues {
            let spool = Spool(directory: queue.directory)
            for folder in [queue.directory, queue.directory.appendingPathComponent(".failed", isDirectory: true)] {
                try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            }
            let filer = QueueFiler(queue: queue.name, spool: spool, io: io, metrics: metrics, logger: logger)
            intakes[queue.name] = QueueIntake(queue: queue.name, limits: queue.limits, runner: runner, filer: filer)
        }
        self.intakes = intakes
        let reserved = config.reservedPaths(currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        ownership = SharedOwnership(
            config: config,
            settings: settings,
            store: store,
            runner: runner,
            reserved: reserved,
            health: health,
            logger: logger
        )
    }

    /// Runs until SIGTERM or SIGINT: the database pool, the ownership loop (leases, takeovers, executors),
    /// the wake-up listener, every inbox and the HTTP API. Throws ``ListenError`` when the HTTP address
    /// cannot be bound, and the database's error when the schema cannot be prepared at start.
    public func run(stdin: Bool, onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }) async throws {
        let prepare = Task { [store, config, logger, settings] in
            // The pool runs in the service group below; until then queries wait for it.
            var delay = Duration.milliseconds(200)
            while true {
                do {
                    try await store.prepare(queues: config.queues)
                    for setting in try await store.unsafeDurabilitySettings() {
                        logger.warning(
                            "the shared store may lose acknowledged patches in a database crash",
                            metadata: ["setting": "\(setting)", "fix": "turn it on for the role ghost connects as (docs/many-hosts.md)"]
                        )
                    }
                    return
                } catch {
                    logger.warning("cannot prepare the shared store yet; retrying", metadata: ["error": "\(SharedStore.unavailable(error).message)"])
                    try await Task.sleep(for: delay)
                    delay = min(delay * 2, settings.lease)
                }
            }
        }
        // A SIGHUP (systemctl reload) is logged and ignored: reloading is not offered on a shared store.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: await HangupListener(logger: logger, reload: nil)), .init(service: store.client), .init(service: store.claims),
        ]
        services.append(
            .init(
                service: SupervisedService(name: SharedOwnership.componentName, health: health, logger: logger, cancelledOnShutdown: true) {
                    [ownership] in
                    try await prepare.value
                    try await ownership.run()
                }
            )
        )
        services.append(
            .init(
                service: SupervisedService(name: "wakeups", health: health, logger: logger, cancelledOnShutdown: true) { [ownership] in
                    try await prepare.value
                    try await ownership.listen()
                }
            )
        )
        for queue in config.queues {
            let inbox = InboxTransport(queue: queue.name, directory: queue.directory, intake: self, health: health, logger: logger)
            services.append(
                .init(
                    service: SupervisedService(
                        name: InboxTransport.componentName(queue: queue.name),
                        health: health,
                        logger: logger,
                        cancelledOnShutdown: true
                    ) {
                        try await inbox.run()
                    }
                )
            )
        }
        let announce: @Sendable (String, Int) async -> Void = { [ownership] host, port in
            await ownership.listening(on: "\(host):\(port)")
            await onListening(host, port)
        }
        services.append(TransportServices.http(config, intake: self, health: health, logger: logger, onListening: announce))
        if stdin { services.append(TransportServices.stdin(config, intake: self, health: health, logger: logger)) }
        let directory = QueueDirectory(config: config, queues: [:])
        if let alerts = TransportServices.alerts(config, health: health, queues: directory, logger: logger) { services.append(alerts) }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        defer { prepare.cancel() }
        do {
            try await group.run()
        } catch {
            try? await io.shutdownGracefully()
            throw error
        }
        try? await io.shutdownGracefully()
    }

    // MARK: PatchIntake

    /// Checks a delivery and commits it to its queue's table; acknowledged once committed.
    public func submit(_ delivery: Delivery) async throws(ApplyError) -> Acceptance {
        let name = delivery.queue ?? config.defaultQueue
        guard let intake = intakes[name] else { throw ApplyError(.unknownQueue, "no queue is named '\(name)'") }
        let checked: QueueIntake.Checked
        do throws(QueueIntake.Refusal) {
            checked = try intake.check(delivery)
        } catch {
            throw await intake.refuse(delivery, error).error
        }
        let enqueued: SharedStore.Enqueued
        do {
            enqueued = try await batcher.enqueue(
                queue: name,
                SharedStore.IntakeItem(
                    id: checked.patch.id,
                    hash: checked.hash,
                    body: delivery.body,
                    source: checked.source.rawValue,
                    name: checked.name,
                    role: checked.patch.roleLabel,
                    receivedAt: delivery.receivedAt
                )
            )
        } catch {
            // Nothing was queued: HTTP answers 503, an inbox file stays for the next try.
            throw SharedStore.unavailable(error)
        }
        let acceptance: Acceptance
        switch enqueued {
        case .queued(let sequence, let attempt):
            ownership.wake(name)
            acceptance = Acceptance(
                patchID: checked.patch.id,
                queue: name,
                state: .queued,
                filepath: "postgres:\(name)/\(sequence)",
                attempt: attempt
            )
        case .duplicate(let sequence, let attempt, let receipt, _):
            acceptance = Acceptance(
                patchID: checked.patch.id,
                queue: name,
                state: .duplicate,
                filepath: "postgres:\(name)/\(sequence)",
                receipt: receipt.flatMap { try? JSONParser.parse(Array($0.utf8)) },
                attempt: attempt
            )
        case .conflict(let sequence):
            let error = ApplyError(.idConflict, "id \(checked.patch.id) was queued before (postgres:\(name)/\(sequence)) with other content")
            throw await intake.refuse(delivery, QueueIntake.Refusal(document: checked.document, error: error)).error
        case .unknownQueue:
            // Configured here, not yet in the database (this host is still preparing it): try again shortly.
            throw ApplyError(.unavailable, "the shared store has no queue '\(name)' yet; try again shortly")
        }
        if let inboxFile = delivery.inboxFile, unlink(inboxFile.path) != 0, errno != ENOENT {
            logger.warning("cannot remove a taken inbox file", metadata: ["file": "\(inboxFile.path)", "errno": "\(errno)"])
        }
        PatchLog.accepted(acceptance, source: delivery.source.rawValue, logger: logger)
        return acceptance
    }

    /// The receipt of `id` in `queue` once any host has filed it, waiting at most `timeout`.
    public func waitForReceipt(id: String, queue: String, timeout: Duration) async -> JSONValue? {
        let deadline = ContinuousClock.now + timeout
        var pause = Duration.milliseconds(5)
        while true {
            if let receipt = try? await store.receipt(id: id, queue: queue) { return receipt }
            guard ContinuousClock.now + pause < deadline else { return nil }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(200))
        }
    }

    /// The receipt of `id` (or its state while queued) in whichever queue has it, the default queue first.
    public func lookup(id: String) async -> JSONValue? { try? await store.lookup(id: id, defaultQueue: config.defaultQueue) }

    /// The fleet: every queue with its owner, lease, depth and pause, and every host with when it was seen.
    public func status() async -> JSONValue {
        do {
            let fleet = try await store.fleetStatus()
            let healthy = await health.isHealthy() && fleet.healthy
            return [
                "status": .string(healthy ? "healthy" : "degraded"),
                "config": .string(config.origin),
                "node": .string(config.nodeName),
                "store": "postgres",
                "default_queue": .string(config.defaultQueue),
                "queues": fleet.queues,
                "nodes": fleet.nodes,
                "components": await health.json(),
            ]
        } catch {
            return [
                "status": "degraded", "node": .string(config.nodeName), "store": "postgres",
                "error": .string(SharedStore.unavailable(error).message), "components": await health.json(),
            ]
        }
    }

    /// The Prometheus text, with the database round trips this host made.
    public func metricsText() async -> [UInt8] {
        for (component, state) in await health.states() { metrics.componentUp(component, state == .up) }
        let trips =
            "# HELP ghost_db_round_trips_total Statements this host sent to the shared store.\n"
            + "# TYPE ghost_db_round_trips_total counter\nghost_db_round_trips_total \(store.roundTrips)\n"
        return metrics.text() + Array(trips.utf8)
    }

    /// Pauses or resumes a queue for the whole fleet.
    public func setPaused(_ paused: Bool, queue: String) async throws(ApplyError) -> JSONValue {
        guard config.queue(named: queue) != nil else { throw ApplyError(.unknownQueue, "no queue is named '\(queue)'") }
        do {
            try await store.setPaused(paused, queue: queue)
        } catch {
            throw SharedStore.unavailable(error)
        }
        ownership.wake(queue)
        return ["queue": .string(queue), "paused": .bool(paused)]
    }

    /// A page of the fleet's patches, newest first.
    public func list(_ query: PatchQuery) async throws(ApplyError) -> JSONValue {
        if let queue = query.queue, config.queue(named: queue) == nil { throw ApplyError(.unknownQueue, "no queue is named '\(queue)'") }
        return try await store.list(query)
    }

    /// Takes a queued patch out of its queue (whichever host owns it).
    public func cancel(id: String) async throws(ApplyError) -> JSONValue { try await store.cancel(id: id, config: config) }

    /// Queues a failed patch again as its next attempt.
    public func retry(id: String) async throws(ApplyError) -> Acceptance {
        let acceptance = try await store.retry(id: id, config: config)
        ownership.wake(acceptance.queue)
        return acceptance
    }

    /// Queues the revert of an applied patch (`revert-<id>`, in its queue; see `SharedStore+Revert.swift`).
    public func revert(id: String) async throws(ApplyError) -> Acceptance {
        let acceptance = try await store.revert(id: id, config: config)
        ownership.wake(acceptance.queue)
        logger.info(
            "patch revert queued",
            metadata: ["queue": "\(acceptance.queue)", "id": "\(acceptance.patchID)", "attempt": "\(acceptance.attempt ?? 1)"]
        )
        return acceptance
    }

    /// Every role this host applies.
    public func roles() async throws(ApplyError) -> [RoleDescriptor] { ownership.runner.registry.descriptors }
}
