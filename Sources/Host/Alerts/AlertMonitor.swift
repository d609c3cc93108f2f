import ApplierAPI
import AsyncHTTPClient
import Foundation
import Logging
import Supervision

/// Watches the host every ``AlertSettings/interval``: component health, queue facts and free disk space go
/// into ``AlertRules``, and what it decides goes out through ``AlertSender``.
struct AlertMonitor: Sendable {
    let settings: AlertSettings
    let health: HealthBoard
    let queues: QueueDirectory
    let logger: Logger

    /// The monitor's name on the health board.
    static let componentName = "alerts"

    /// Runs until cancelled.
    func run(component: String) async throws {
        await health.set(component, .up)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let sender = AlertSender(settings: settings, client: client, logger: logger)
        var rules = AlertRules(settings: settings)
        while !Task.isCancelled {
            let alerts = rules.evaluate(await snapshot(), now: Date())
            for alert in alerts {
                logger.log(
                    level: alert.status == .firing ? .warning : .notice,
                    "alert \(alert.status.rawValue)",
                    metadata: ["kind": "\(alert.key.kind.rawValue)", "subject": "\(alert.key.subject)", "summary": "\(alert.summary)"]
                )
            }
            await sender.send(alerts)
            try? await Task.sleep(for: settings.interval)
        }
        try? await client.shutdown()
    }

    /// What the host looks like now.
    func snapshot() async -> AlertRules.Snapshot {
        var snapshot = AlertRules.Snapshot()
        for (name, report) in await health.reports() where !name.hasPrefix("alerts") {
            snapshot.components[name] = (report.state == .up || report.state == .stopped, report.restarts)
        }
        for (name, queue) in queues.serving {
            snapshot.queues[name] = await queue.alertFacts()
            let spool = queue.config.directory.path
            if let free = Self.freePercent(of: spool) { snapshot.diskFreePercent[spool] = free }
        }
        return snapshot
    }

    /// The share of free space, in percent, of the file system holding `path`.
    static func freePercent(of path: String) -> Double? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0, stats.f_blocks > 0 else { return nil }
        return Double(stats.f_bavail) / Double(stats.f_blocks) * 100
    }
}
