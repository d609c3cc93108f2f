import Foundation
import Transport

/// What a SIGHUP changes: the difference between the configuration a host runs and the one it just read,
/// worked out without touching anything, so that a reload is either applied as planned or refused whole.
///
/// Queues can be added, removed and changed while the host runs. Everything else the host set up once at
/// start (the HTTP listener and every credential, including a queue's own, the default queue, exec roles,
/// logging, alerts) cannot: a configuration that changes any of it is refused, naming what changed, and the
/// host keeps running the old one. Credentials are on that list on purpose: the HTTP transport holds them,
/// and a queue added with a token the transport never heard of would be open.
struct ConfigReload: Equatable {
    /// Queues the new configuration adds.
    var added: [QueueConfig] = []
    /// Names of queues it removes.
    var removed: [String] = []
    /// Queues whose settings differ (each restarted with its new settings).
    var changed: [QueueConfig] = []
    /// Why the reload cannot be applied (empty when it can): each a setting that needs a restart.
    var refusals: [String] = []

    /// The plan that takes a host from `old` to `new`.
    /// - Parameter currentDirectory: The host's current folder (part of the paths patches may not write).
    init(from old: GhostConfig, to new: GhostConfig, currentDirectory: URL) {
        var listener = (old: old.http, new: new.http)
        listener.old.queueCredentials = [:]
        listener.new.queueCredentials = [:]
        if listener.old != listener.new { refusals.append("http (the listener, its limits or the host's credentials)") }
        if old.defaultQueue != new.defaultQueue { refusals.append("default_queue") }
        if old.roles != new.roles { refusals.append("roles") }
        if old.log != new.log { refusals.append("log") }
        if old.alerts != new.alerts { refusals.append("alerts") }
        let named = Set(old.http.queueCredentials.keys).union(new.http.queueCredentials.keys)
        for name in named.sorted() where old.http.queueCredentials[name] != new.http.queueCredentials[name] {
            refusals.append("the credentials of queue \(name)")
        }
        guard refusals.isEmpty else { return }
        // Every queue guards the paths of all of them (spools, .git folders, the configuration): when that list
        // changes, each queue restarts so that none keeps an outdated one.
        let guardsChanged = old.reservedPaths(currentDirectory: currentDirectory) != new.reservedPaths(currentDirectory: currentDirectory)
        for queue in new.queues {
            guard let before = old.queue(named: queue.name) else {
                added.append(queue)
                continue
            }
            if before != queue || guardsChanged { changed.append(queue) }
        }
        removed = old.queues.map(\.name).filter { new.queue(named: $0) == nil }
    }

    /// One line for the log: what was added, removed and restarted.
    var summary: String {
        var parts: [String] = []
        if !added.isEmpty { parts.append("added \(added.map(\.name).joined(separator: ", "))") }
        if !removed.isEmpty { parts.append("removed \(removed.joined(separator: ", "))") }
        if !changed.isEmpty { parts.append("restarted with new settings \(changed.map(\.name).joined(separator: ", "))") }
        return parts.isEmpty ? "no queue changed" : "queues " + parts.joined(separator: "; ")
    }
}
