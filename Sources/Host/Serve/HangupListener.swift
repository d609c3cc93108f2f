import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP, whose default action would end the host (a closed terminal), reloads the configuration
/// (`systemctl reload`, `kill -HUP`): see ``GhostHost/reload()``. Without a way to read the configuration
/// again (a host built in a test), it is logged and ignored.
struct HangupListener: Service {
    private let signals: UnixSignalsSequence
    private let logger: Logger
    private let reload: (@Sendable () async -> Void)?

    /// Traps SIGHUP from now on (so a hangup during start is caught too).
    init(logger: Logger, reload: (@Sendable () async -> Void)?) async {
        self.signals = await UnixSignalsSequence(trapping: .sighup)
        self.logger = logger
        self.reload = reload
    }

    /// Reloads on each SIGHUP, one reload at a time, until the host shuts down.
    func run() async throws {
        try await cancelWhenGracefulShutdown { [signals, logger, reload] in
            for await _ in signals {
                guard let reload else {
                    logger.info("SIGHUP: ignored; this host cannot read its configuration again")
                    continue
                }
                await reload()
            }
        }
    }
}
