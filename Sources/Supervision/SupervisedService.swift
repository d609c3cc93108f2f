package import Logging
import ServiceLifecycle

/// Runs a component and restarts it with backoff when it fails, so one failing transport never stops the
/// host; meanwhile the component shows as `degraded` on the ``HealthBoard``. The component itself marks
/// itself `up` on the board once it is working.
package struct SupervisedService: Service {
    /// The component's name on the health board (`http`, `inbox:MAIN`, ...).
    package let name: String
    /// The health board.
    package let health: HealthBoard
    /// The first wait before a restart; it doubles up to ``maximumBackoff``.
    package let initialBackoff: Duration
    /// The longest wait between restarts.
    package let maximumBackoff: Duration
    /// Whether graceful shutdown cancels the component (for those with nothing to finish); otherwise it must
    /// watch for shutdown itself.
    package let cancelledOnShutdown: Bool
    /// Errors the component cannot recover from by restarting (an address already in use): they stop the
    /// host, so that a supervisor sees it fail instead of a host that looks alive and serves nothing.
    package let isFatal: @Sendable (any Error) -> Bool
    private let body: @Sendable () async throws -> Void
    private let logger: Logger

    /// Supervises `body`, which runs until the component stops; it returning normally means a deliberate stop.
    package init(
        name: String,
        health: HealthBoard,
        logger: Logger,
        initialBackoff: Duration = .milliseconds(200),
        maximumBackoff: Duration = .seconds(10),
        cancelledOnShutdown: Bool = false,
        isFatal: @escaping @Sendable (any Error) -> Bool = { _ in false },
        body: @escaping @Sendable () async throws -> Void
    ) {
        self.cancelledOnShutdown = cancelledOnShutdown
        self.isFatal = isFatal
        self.name = name
        self.health = health
        self.logger = logger
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.body = body
    }

    /// Runs the component until it stops on purpose or the host shuts down; rethrows a fatal error.
    package func run() async throws {
        var backoff = initialBackoff
        await health.set(name, .starting)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if cancelledOnShutdown {
                    try await cancelWhenGracefulShutdown(body)
                } else {
                    try await body()
                }
                await health.set(name, .stopped)
                return
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                if isFatal(error) {
                    logger.critical("component failed; stopping the host", metadata: ["component": "\(name)", "error": "\(error)"])
                    await health.set(name, .degraded, error: "\(error)")
                    throw error
                }
                logger.error("component failed; restarting", metadata: ["component": "\(name)", "error": "\(error)", "backoff": "\(backoff)"])
                await health.set(name, .degraded, error: "\(error)")
                do {
                    let wait = backoff
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
                } catch {
                    break
                }
                await health.countRestart(name)
                backoff = min(backoff * 2, maximumBackoff)
            }
        }
        await health.set(name, .stopped)
    }
}
