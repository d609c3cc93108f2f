/// A component's state and how often the supervisor restarted it.
public struct ComponentReport: Sendable, Equatable {
    /// Its state now.
    public var state: ComponentState
    /// Restarts since the host started.
    public var restarts: Int

    /// A report.
    public init(state: ComponentState, restarts: Int) {
        self.state = state
        self.restarts = restarts
    }
}
