import Synchronization

/// The queues a host serves now, by name, and the configuration they come from: read by every request,
/// replaced by a configuration reload. A mutex rather than an actor because a lookup is one dictionary
/// read that must not add a hop to every request.
final class QueueDirectory: Sendable {
    /// A queue as requests find it.
    enum Slot: Sendable {
        /// Serving.
        case ready(PatchQueue)
        /// Being restarted with new settings: requests wait for the new queue (`nil` if it could not start).
        case restarting(Task<PatchQueue?, Never>)
    }

    private struct State {
        var config: GhostConfig
        var slots: [String: Slot]
    }

    private let state: Mutex<State>

    /// The queues of `config`, all serving.
    init(config: GhostConfig, queues: [String: PatchQueue]) {
        state = Mutex(State(config: config, slots: queues.mapValues { .ready($0) }))
    }

    /// The configuration the host runs now.
    var config: GhostConfig {
        get { state.withLock { $0.config } }
        set { state.withLock { $0.config = newValue } }
    }

    /// The queue called `name`, waiting for it while it restarts; `nil` when there is none.
    func queue(named name: String) async -> PatchQueue? {
        switch state.withLock({ $0.slots[name] }) {
        case .ready(let queue)?: return queue
        case .restarting(let task)?: return await task.value
        case nil: return nil
        }
    }

    /// The queues serving now (not those being restarted), by name.
    var serving: [String: PatchQueue] {
        state.withLock { state in
            state.slots.compactMapValues { slot in
                guard case .ready(let queue) = slot else { return nil }
                return queue
            }
        }
    }

    /// Puts `slot` under `name`, or with `nil` removes the queue: later requests for it get `unknown_queue`.
    func set(_ name: String, _ slot: Slot?) {
        state.withLock { $0.slots[name] = slot }
    }
}
