import ServiceLifecycle

/// Every queue's components (``QueueRun``) under the host's service group, including queues a
/// configuration reload starts or stops while the host runs: they stop with the host like any other
/// service.
actor QueueFleet: Service {
    private var runs: [String: QueueRun] = [:]
    private let launches: AsyncStream<QueueRun>
    private let launch: AsyncStream<QueueRun>.Continuation

    /// A fleet with no queue running yet.
    init() {
        (launches, launch) = AsyncStream.makeStream(of: QueueRun.self)
    }

    /// Runs each started queue until the host shuts down.
    nonisolated func run() async throws {
        await withDiscardingTaskGroup { group in
            for await run in launches.cancelOnGracefulShutdown() {
                group.addTask { await run.run() }
            }
        }
    }

    /// Starts a queue's components.
    func start(_ run: QueueRun) {
        runs[run.name] = run
        launch.yield(run)
    }

    /// Stops the queue called `name` and returns the names of its components once it has stopped (none
    /// when it was not running).
    func stop(_ name: String) async -> [String] {
        guard let run = runs.removeValue(forKey: name) else { return [] }
        await run.stop()
        return run.components
    }
}
