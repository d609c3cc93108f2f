public import ApplierAPI
import Foundation
public import Logging
import NIOPosix
import ServiceLifecycle
public import Supervision
public import Transport
import UnixSignals

/// `ghost serve`: every queue's executor, every inbox, the HTTP API and optionally stdin, in one process.
///
/// All transports enqueue through ``submit(_:)``, so they share one durability path and one ledger per
/// queue. SIGTERM and SIGINT finish the patch in hand, stop taking deliveries, and return; SIGHUP reloads
/// the configuration's queues (``reload()``). A workspace that does not exist stops the host at start (unless the queue says
/// `create_workspace: true`), and so does an HTTP address already in use.
public struct GhostHost: PatchIntake {
    /// The configuration the host runs now (a SIGHUP may have reloaded it).
    public var config: GhostConfig { directory.config }
    /// Every component's state.
    public let health = HealthBoard()
    let directory: QueueDirectory
    let fleet = QueueFleet()
    let metrics: HostMetrics
    let logger: Logger
    let io: NIOThreadPool
    let runner: PatchRunner
    let reloader: (@Sendable () throws -> GhostConfig)?

    /// Builds the queues and recovers each one's ledger and pending patches from its spool; throws when a
    /// workspace is missing (naming its key and path) and the queue does not ask for it to be created.
    /// - Parameter reloader: Reads the configuration again on SIGHUP (as the command line read it at
    ///   start, with the same overrides); without one a SIGHUP is logged and ignored.
    public init(
        config: GhostConfig,
        registry: ApplierRegistry,
        logger: Logger,
        reloader: (@Sendable () throws -> GhostConfig)? = nil
    ) throws(ApplyError) {
        self.logger = logger
        self.reloader = reloader
        self.metrics = HostMetrics(appliers: registry)
        // Durable writes block in fsync; they run here, never on the threads that serve requests.
        self.io = NIOThreadPool(numberOfThreads: 8)
        io.start()
        self.runner = PatchRunner(registry: registry)
        var queues: [String: PatchQueue] = [:]
        for queueConfig in config.queues {
            queues[queueConfig.name] = try Self.makeQueue(queueConfig, of: config, runner: runner, metrics: metrics, logger: logger, io: io)
        }
        self.directory = QueueDirectory(config: config, queues: queues)
    }

    /// A queue of `config`, its spool opened and locked.
    static func makeQueue(
        _ queueConfig: QueueConfig,
        of config: GhostConfig,
        runner: PatchRunner,
        metrics: HostMetrics,
        logger: Logger,
        io: NIOThreadPool
    ) throws(ApplyError) -> PatchQueue {
        try PatchQueue(
            config: queueConfig,
            runner: runner,
            metrics: metrics,
            logger: logger,
            io: io,
            limits: queueConfig.limits,
            reserved: config.reservedPaths(currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)),
            watchedByAlerts: config.alerts.isEnabled
        )
    }

    /// Runs until SIGTERM or SIGINT. `onListening` is told the HTTP address once it is bound; then, under
    /// systemd (`$NOTIFY_SOCKET`), the host sends `READY=1`, and `STOPPING=1` when shutdown begins. Throws
    /// ``ListenError`` when the HTTP address cannot be bound.
    public func run(stdin: Bool, onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }) async throws {
        // First, so that it is shut down last: a hangup while the host stops must not end it either.
        var reload: (@Sendable () async -> Void)?
        if reloader != nil { reload = { [self] in await self.reload() } }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: await HangupListener(logger: logger, reload: reload))]
        let config = config
        let queues = directory.serving
        for queue in queues.values { try await queue.recover() }
        let notifier = SystemdNotifier()
        let announce: @Sendable (String, Int) async -> Void = { host, port in
            await onListening(host, port)
            notifier?.notify("READY=1\nSTATUS=listening on http://\(host):\(port)")
        }
        for queueConfig in config.queues {
            guard let queue = queues[queueConfig.name] else { continue }
            await fleet.start(components(of: queue))
        }
        services.append(.init(service: fleet))
        let gate: @Sendable () async -> Void = { [self] in await awaitSuspectsSettled() }
        services.append(TransportServices.http(config, intake: self, health: health, logger: logger, onListening: announce, gate: gate))
        if stdin { services.append(TransportServices.stdin(config, intake: self, health: health, logger: logger, gate: gate)) }
        if let alerts = TransportServices.alerts(config, health: health, queues: directory, logger: logger) { services.append(alerts) }
        // Last, so that it hears of shutdown first.
        if let notifier { services.append(.init(service: notifier)) }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
        } catch {
            try? await io.shutdownGracefully()
            throw error
        }
        try? await io.shutdownGracefully()
    }

    /// Returns once every queue has settled the patches in doubt after a death (see ``PoisonPolicy``): the
    /// transports start only then. At once after a clean shutdown; early when the host is told to stop.
    private func awaitSuspectsSettled() async {
        try? await cancelWhenGracefulShutdown {
            for queue in directory.serving.values { await queue.awaitSuspectsSettled() }
        }
    }

    /// A queue's executor, retention sweeper and inbox watcher, each supervised. The inbox starts once the
    /// queue has settled the patches in doubt after a death (see ``PoisonPolicy``).
    func components(of queue: PatchQueue) -> QueueRun {
        let name = queue.name
        let executorName = "executor:\(name)"
        let executor = SupervisedService(name: executorName, health: health, logger: logger) { [health] in
            await withTaskExecutorPreference(ThreadExecutor(name: executorName)) {
                await queue.kick()
                await queue.runExecutor(health: health, component: executorName)
            }
        }
        var others: [SupervisedService] = []
        if let sweeper = queue.store.retentionSweeper(logger: logger) {
            others.append(
                SupervisedService(name: "retention:\(name)", health: health, logger: logger, cancelledOnShutdown: true) { [io, health] in
                    try await sweeper.run(io: io, health: health, component: "retention:\(name)")
                }
            )
        }
        let inbox = InboxTransport(queue: name, directory: queue.config.directory, intake: self, health: health, logger: logger)
        others.append(
            SupervisedService(name: InboxTransport.componentName(queue: name), health: health, logger: logger, cancelledOnShutdown: true) {
                try? await cancelWhenGracefulShutdown { await queue.awaitSuspectsSettled() }
                guard !Task.isCancelled else { return }
                try await inbox.run()
            }
        )
        return QueueRun(queue: queue, executor: executor, others: others)
    }

    // MARK: PatchIntake

    /// Queues a delivery in its queue (the default one when it names none).
    public func submit(_ delivery: Delivery) async throws(ApplyError) -> Acceptance {
        let name = delivery.queue ?? config.defaultQueue
        let acceptance = try await onQueue(named: name) { queue throws(ApplyError) in
            try await queue.take(delivery)
        }
        PatchLog.accepted(acceptance, source: delivery.source.rawValue, logger: logger)
        return acceptance
    }

    /// The receipt of `id` in `queue` once finished, waiting at most `timeout`.
    public func waitForReceipt(id: String, queue: String, timeout: Duration) async -> JSONValue? {
        await directory.queue(named: queue)?.waitForReceipt(id: id, timeout: timeout)?.json
    }

    /// The receipt or state of `id` in whichever queue knows it (the default queue first).
    public func lookup(id: String) async -> JSONValue? {
        for name in lookupOrder {
            switch await directory.queue(named: name)?.lookup(id: id) {
            case .finished(let receipt)?: return receipt.json
            case .inProgress(let state)?: return ["id": .string(id), "queue": .string(name), "status": .string(state)]
            case nil: continue
            }
        }
        return nil
    }

    /// Queues and components.
    public func status() async -> JSONValue {
        var queueStates: [String: JSONValue] = [:]
        for (name, queue) in directory.serving { queueStates[name] = await queue.status() }
        return [
            "status": .string(await health.isHealthy() ? "healthy" : "degraded"),
            "config": .string(config.origin),
            "default_queue": .string(config.defaultQueue),
            "queues": .object(queueStates),
            "components": await health.json(),
        ]
    }

    /// The Prometheus text, with each component's state as `ghost_component_up{component}` (1 up, else 0).
    public func metricsText() async -> [UInt8] {
        for (component, state) in await health.states() { metrics.componentUp(component, state == .up) }
        return metrics.text()
    }
}
