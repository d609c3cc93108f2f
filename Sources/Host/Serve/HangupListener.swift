import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP, whose default action would end the host (a closed terminal, `systemctl reload`), is logged and
/// otherwise ignored. Reloading the configuration on SIGHUP is not built: restart the host to apply a
/// changed one.
struct HangupListener: Service {
    private let signals: UnixSignalsSequence
    private let logger: Logger

    /// Traps SIGHUP from now on (so a hangup during start is caught too).
    init(logger: Logger) async {
        self.signals = await UnixSignalsSequence(trapping: .sighup)
        self.logger = logger
    }

    /// Logs each SIGHUP until the host shuts down.
    func run() async throws {
        try await cancelWhenGracefulShutdown { [signals, logger] in
            for await _ in signals {
                logger.info("SIGHUP: ignored; the configuration is not reloaded (restart ghost serve to apply a changed one)")
            }
        }
    }
}
