/// The state of one part of the host (a transport or a queue's executor), shown by `/health`.
public enum ComponentState: String, Sendable {
    /// Being set up.
    case starting
    /// Working.
    case up
    /// Failed and waiting to be restarted.
    case degraded
    /// Finished on purpose (stdin reached its end, or the host is stopping).
    case stopped
}
