import ApplierAPI
import Foundation

/// Decides, from what the host looks like now, which alerts to send: a pure state machine fed a
/// ``Snapshot`` every few seconds by ``AlertMonitor``, which sends what it returns.
///
/// A condition that becomes true fires once; while it stays true nothing more is sent; when it ends a
/// `resolved` message follows. The same alert (kind and subject) fires at most once per cooldown: a
/// condition that flaps is reported once, and a firing held back by the cooldown sends no resolution.
struct AlertRules {
    /// What the host looks like at one moment.
    struct Snapshot: Sendable {
        /// Each component's state (`up` or not) and how often it was restarted.
        var components: [String: (up: Bool, restarts: Int)] = [:]
        /// Each queue's facts.
        var queues: [String: QueueFacts] = [:]
        /// Free space of each spool's disk, in percent.
        var diskFreePercent: [String: Double] = [:]
    }

    /// What a queue says about itself.
    struct QueueFacts: Sendable {
        /// When its oldest queued patch arrived (`nil`: none queued).
        var oldestQueuedAt: Date?
        var paused = false
        /// When each failure since the last snapshot happened, with its reason.
        var newFailures: [(reason: String, at: Date)] = []
        /// Patches filed `crashed_host` at this start.
        var poisonPatches: [String] = []
    }

    let settings: AlertSettings
    /// Alerts firing now, and whether their firing was sent (a held-back one sends no resolution).
    private(set) var active: [Alert.Key: Bool] = [:]
    /// When each alert was last sent.
    private var lastSent: [Alert.Key: Date] = [:]
    /// Failures per queue and reason within the window.
    private var failures: [Alert.Key: [Date]] = [:]
    private var restarts: [String: Int] = [:]

    init(settings: AlertSettings) { self.settings = settings }

    /// The alerts to send for `snapshot`, in a stable order.
    mutating func evaluate(_ snapshot: Snapshot, now: Date) -> [Alert] {
        var conditions: [Alert.Key: String] = [:]
        var events: [Alert] = []
        for (name, component) in snapshot.components {
            if !component.up {
                conditions[Alert.Key(kind: .componentDown, subject: name)] = "component \(name) is down"
            }
            let seen = restarts[name] ?? component.restarts
            if component.restarts > seen {
                let key = Alert.Key(kind: .componentRestarted, subject: name)
                if mayNotify(key, now: now) {
                    events.append(
                        Alert(
                            key: key,
                            status: .firing,
                            summary: "component \(name) failed and was restarted (\(component.restarts) restarts)",
                            at: now
                        )
                    )
                }
            }
            restarts[name] = component.restarts
        }
        let window = settings.failureWindow.milliseconds / 1000
        for (name, queue) in snapshot.queues {
            if let oldest = queue.oldestQueuedAt, !queue.paused, now.timeIntervalSince(oldest) > settings.stuckAfter.milliseconds / 1000 {
                conditions[Alert.Key(kind: .queueStuck, subject: name)] =
                    "queue \(name) is stuck: its oldest patch has waited \(Int(now.timeIntervalSince(oldest))) s"
            }
            for failure in queue.newFailures {
                failures[Alert.Key(kind: .failures, subject: "\(name)/\(failure.reason)"), default: []].append(failure.at)
            }
            if !queue.poisonPatches.isEmpty {
                conditions[Alert.Key(kind: .poisonPatch, subject: name)] =
                    "queue \(name) filed \(queue.poisonPatches.joined(separator: ", ")) as crashed_host: the host died each time it applied them"
            }
        }
        for (key, times) in failures {
            let recent = times.filter { now.timeIntervalSince($0) <= window }
            failures[key] = recent.isEmpty ? nil : recent
            if recent.count >= settings.failureCount {
                conditions[key] =
                    "\(recent.count) patches failed \(key.subject.split(separator: "/").last.map(String.init) ?? "") in queue "
                    + "\(key.subject.split(separator: "/").first.map(String.init) ?? "") within \(Int(window)) s"
            }
        }
        for (path, free) in snapshot.diskFreePercent where free < settings.diskFreePercent {
            conditions[Alert.Key(kind: .diskFull, subject: path)] = "the disk holding \(path) has \(String(format: "%.1f", free))% free"
        }
        for (key, summary) in conditions.sorted(by: { $0.key < $1.key }) where active[key] == nil {
            let sent = mayNotify(key, now: now)
            active[key] = sent
            if sent { events.append(Alert(key: key, status: .firing, summary: summary, at: now)) }
        }
        for (key, sent) in active.sorted(by: { $0.key < $1.key }) where conditions[key] == nil {
            active[key] = nil
            guard sent else { continue }
            let what = key.kind.rawValue.replacingOccurrences(of: "_", with: " ")
            events.append(Alert(key: key, status: .resolved, summary: "resolved: \(what) \(key.subject)", at: now))
        }
        return events
    }

    /// Whether `key` may be sent now (not within the cooldown of its last message); records it if so.
    private mutating func mayNotify(_ key: Alert.Key, now: Date) -> Bool {
        if let last = lastSent[key], now.timeIntervalSince(last) < settings.cooldown.milliseconds / 1000 { return false }
        lastSent[key] = now
        return true
    }
}
