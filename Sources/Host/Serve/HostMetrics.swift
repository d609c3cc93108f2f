import ApplierAPI
import CoreMetrics
import Metrics
import Prometheus

/// The host's metrics, through the swift-metrics API into a Prometheus registry served at `/metrics`.
///
/// The factory is the host's own rather than the process-wide `MetricsSystem`, so several hosts (in tests)
/// never share counts and a library embedding GhostRunner keeps its own bootstrap.
///
/// Labels come only from closed sets (configured queues, registered roles, built-in reasons), so patches
/// cannot create series: any other role or reason is counted as `other`.
struct HostMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// Canonical role names by every name and alias the registry knows.
    private let roles: [String: String]

    /// Metrics labelling roles by the names `appliers` knows.
    init(appliers: ApplierRegistry = ApplierRegistry()) {
        var roles: [String: String] = [:]
        for descriptor in appliers.descriptors {
            for name in descriptor.allNames { roles[name] = descriptor.name }
        }
        roles[RestoreApplier.role] = RestoreApplier.role
        self.roles = roles
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30),
        ]
        self.factory = factory
    }

    /// A delivery was durably queued.
    func received(queue: String, source: Receipt.Source) {
        Counter(label: "ghost_patches_received_total", dimensions: [("queue", queue), ("source", source.rawValue)], factory: factory).increment()
    }

    /// A delivery repeated an id with the same content.
    func duplicate(queue: String, role: String) {
        Counter(label: "ghost_patches_duplicate_total", dimensions: [("queue", queue), ("role", label(role: role))], factory: factory)
            .increment()
    }

    /// A patch finished: applied (or unchanged), or failed with a reason.
    func finished(queue: String, role: String, failedWith reason: String?, duration: Duration?) {
        let role = label(role: role)
        if let reason {
            let reason = Reason.builtIn.contains(Reason(reason)) ? reason : "other"
            Counter(label: "ghost_patches_failed_total", dimensions: [("queue", queue), ("role", role), ("reason", reason)], factory: factory)
                .increment()
        } else {
            Counter(label: "ghost_patches_applied_total", dimensions: [("queue", queue), ("role", role)], factory: factory).increment()
        }
        if let duration {
            let (seconds, attoseconds) = duration.components
            Timer(label: "ghost_apply_duration_seconds", dimensions: [("queue", queue)], factory: factory)
                .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
    }

    /// The host died while applying a patch alone (counted at the next start; see ``PoisonPolicy``).
    func hostDied(queue: String) {
        Counter(label: "ghost_host_deaths_total", dimensions: [("queue", queue)], factory: factory).increment()
    }

    /// How many patches wait in a queue.
    func depth(queue: String, _ value: Int) {
        Gauge(label: "ghost_queue_depth", dimensions: [("queue", queue)], factory: factory).record(value)
    }

    /// Whether a component (`http`, `inbox:MAIN`, `executor:MAIN`, ...) is up: 1, or 0 when starting,
    /// degraded or stopped.
    func componentUp(_ component: String, _ up: Bool) {
        Gauge(label: "ghost_component_up", dimensions: [("component", component)], factory: factory).record(up ? 1 : 0)
    }

    /// The role's canonical name, or `other` for a role the host does not serve.
    func label(role: String) -> String { roles[role] ?? "other" }

    /// The Prometheus text exposition, each family's `# TYPE` line preceded by its `# HELP` line.
    func text() -> [UInt8] { Self.withHelp(registry.emitToString()) }

    /// What each metric family counts, for its `# HELP` line.
    static let help: [String: String] = [
        "ghost_patches_received_total": "Patches durably queued, by queue and transport.",
        "ghost_patches_duplicate_total": "Deliveries that repeated an id with the same content; not applied again.",
        "ghost_patches_applied_total": "Patches applied or found unchanged.",
        "ghost_patches_failed_total": "Patches that failed, by reason; nothing of them remains.",
        "ghost_apply_duration_seconds": "Time from the start of work on a patch to its receipt.",
        "ghost_host_deaths_total": "Host deaths while applying a patch alone, counted at the next start.",
        "ghost_queue_depth": "Patches waiting in a queue.",
        "ghost_component_up": "1 when the component is up, 0 when starting, degraded or stopped.",
    ]

    /// `text` with `# HELP name …` inserted before every `# TYPE name …` line that has none.
    static func withHelp(_ text: String) -> [UInt8] {
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), let name = line.split(separator: " ").dropFirst(2).first, lines.last?.hasPrefix("# HELP") != true {
                lines.append("# HELP \(name) \(help[String(name)] ?? "A GhostRunner metric.")")
            }
            lines.append(line)
        }
        return Array(lines.joined(separator: "\n").utf8)
    }
}
