import ApplierAPI
import Logging
import ServiceLifecycle
import Supervision
import Transport

/// The supervised services both kinds of host run the same way: the HTTP API, stdin and the alert monitor.
enum TransportServices {
    /// The HTTP API for `intake` (the default queue set from `config`); `gate` returns when it may start.
    static func http(
        _ config: GhostConfig,
        intake: any PatchIntake,
        health: HealthBoard,
        logger: Logger,
        onListening: @escaping @Sendable (String, Int) async -> Void,
        gate: @escaping @Sendable () async -> Void = {}
    ) -> ServiceGroupConfiguration.ServiceConfiguration {
        var settings = config.http
        settings.defaultQueue = config.defaultQueue
        let http = HTTPTransport(settings: settings, intake: intake, health: health, logger: logger, onListening: onListening)
        return .init(
            service: SupervisedService(name: HTTPTransport.componentName, health: health, logger: logger, isFatal: { $0 is ListenError }) {
                await gate()
                guard !Task.isCancelled && !Task.isShuttingDownGracefully else { return }
                try await http.run()
            }
        )
    }

    /// `--stdin`: newline-delimited patches for the default queue; ends quietly with its input.
    static func stdin(
        _ config: GhostConfig,
        intake: any PatchIntake,
        health: HealthBoard,
        logger: Logger,
        gate: @escaping @Sendable () async -> Void = {}
    ) -> ServiceGroupConfiguration.ServiceConfiguration {
        let transport = StdinTransport(queue: config.defaultQueue, intake: intake, health: health, logger: logger)
        return .init(
            service: SupervisedService(name: StdinTransport.componentName, health: health, logger: logger, cancelledOnShutdown: true) {
                await gate()
                guard !Task.isCancelled else { return }
                try await transport.run()
            },
            successTerminationBehavior: .ignore
        )
    }

    /// The alert monitor, when `config.alerts` names a destination.
    static func alerts(
        _ config: GhostConfig,
        health: HealthBoard,
        queues: QueueDirectory,
        logger: Logger
    )
        -> ServiceGroupConfiguration.ServiceConfiguration?
    {
        guard config.alerts.isEnabled else { return nil }
        let monitor = AlertMonitor(settings: config.alerts, health: health, queues: queues, logger: logger)
        return .init(
            service: SupervisedService(name: AlertMonitor.componentName, health: health, logger: logger, cancelledOnShutdown: true) {
                try await monitor.run(component: AlertMonitor.componentName)
            }
        )
    }
}
