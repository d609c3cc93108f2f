import ServiceLifecycle
import Supervision
import Synchronization

/// One queue's components as they run under the host: its executor, its retention sweeper and its inbox
/// watcher, each supervised, started together and stopped together.
///
/// Stopping (a configuration reload removed or changed the queue) stops the inbox and the sweeper first,
/// then lets the executor finish the batch in hand and close the spool, as shutdown does.
struct QueueRun: Sendable {
    /// The queue's name.
    let name: String
    /// The names of its components on the health board.
    let components: [String]
    private let queue: PatchQueue
    private let executor: SupervisedService
    private let others: [SupervisedService]
    private let stopSignal: AsyncStream<Void>
    private let stopRequest: AsyncStream<Void>.Continuation
    private let ended: AsyncStream<Void>
    private let end: AsyncStream<Void>.Continuation
    private let launched = Launched()

    /// Whether ``run()`` has begun (a run the host never launched, as it shut down, has nothing to wait for).
    private final class Launched: Sendable {
        let value = Mutex(false)
    }

    /// The components of `queue`: `executor` and the rest (inbox, sweeper), all supervised.
    init(queue: PatchQueue, executor: SupervisedService, others: [SupervisedService]) {
        self.name = queue.name
        self.queue = queue
        self.executor = executor
        self.others = others
        self.components = [executor.name] + others.map(\.name)
        (stopSignal, stopRequest) = AsyncStream.makeStream(of: Void.self)
        (ended, end) = AsyncStream.makeStream(of: Void.self)
    }

    /// Runs the components until ``stop()`` or the host's shutdown.
    func run() async {
        launched.value.withLock { $0 = true }
        await withDiscardingTaskGroup { group in
            group.addTask { [executor] in try? await executor.run() }
            group.addTask { [others, stopSignal, queue] in
                await withDiscardingTaskGroup { rest in
                    for service in others { rest.addTask { try? await service.run() } }
                    try? await cancelWhenGracefulShutdown { for await _ in stopSignal {} }
                    rest.cancelAll()
                }
                await queue.stop()
            }
        }
        end.finish()
    }

    /// Stops the components and returns once the executor has closed the spool.
    func stop() async {
        stopRequest.finish()
        guard launched.value.withLock({ $0 }) else { return }
        for await _ in ended {}
    }
}
