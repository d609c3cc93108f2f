public import ApplierAPI
import Foundation

/// Every component's state, updated by the components themselves and read by `/health` and `ghost status`.
public actor HealthBoard {
    /// One component's entry.
    struct Entry: Sendable {
        /// Its state.
        var state: ComponentState
        /// The last error, when it failed.
        var lastError: String?
        /// How many times it was restarted after failing.
        var restarts: Int
        /// When the state last changed.
        var since: Date
        /// Something an operator should know that is not a failure (such as a patch filed because the host
        /// died applying it).
        var note: String? = nil
    }

    private var entries: [String: Entry] = [:]

    /// An empty board.
    public init() {}

    /// Sets a component's state; a failure's message is kept until the next failure.
    public func set(_ component: String, _ state: ComponentState, error: String? = nil) {
        var entry = entries[component] ?? Entry(state: state, lastError: nil, restarts: 0, since: Date())
        if entry.state != state { entry.since = Date() }
        entry.state = state
        if let error { entry.lastError = error }
        entries[component] = entry
    }

    /// Sets (or, with `nil`, removes) a component's note, shown as `note` by `/health`; the state is unchanged.
    public func note(_ component: String, _ text: String?) {
        entries[component, default: Entry(state: .starting, lastError: nil, restarts: 0, since: Date())].note = text
    }

    /// Forgets a component that no longer exists (the components of a queue a configuration reload removed).
    public func remove(_ component: String) { entries[component] = nil }

    /// Counts a restart of a component.
    public func countRestart(_ component: String) {
        entries[component, default: Entry(state: .starting, lastError: nil, restarts: 0, since: Date())].restarts += 1
    }

    /// The component's current state, `nil` for one never seen.
    public func state(of component: String) -> ComponentState? { entries[component]?.state }

    /// Every component's current state, by name (for the `ghost_component_up` gauge).
    public func states() -> [String: ComponentState] { entries.mapValues(\.state) }

    /// Each component's state and how often it was restarted.
    public func reports() -> [String: ComponentReport] {
        entries.mapValues { ComponentReport(state: $0.state, restarts: $0.restarts) }
    }

    /// True when no component is starting or degraded.
    public func isHealthy() -> Bool { entries.values.allSatisfy { $0.state == .up || $0.state == .stopped } }

    /// The `components` object of `/health` (states only: it is open without credentials, and errors name
    /// paths) and of `/api/status` (with each component's last error).
    public func json(includingErrors: Bool = true) -> JSONValue {
        var object: [String: JSONValue] = [:]
        for (name, entry) in entries {
            var item: [String: JSONValue] = [
                "state": .string(entry.state.rawValue),
                "restarts": .number(Double(entry.restarts)),
                "since": .string(entry.since.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))),
            ]
            if includingErrors, let lastError = entry.lastError { item["last_error"] = .string(lastError) }
            if let note = entry.note { item["note"] = .string(note) }
            object[name] = .object(item)
        }
        return .object(object)
    }
}
