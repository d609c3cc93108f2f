/// Why an operation or a patch failed: a stable ``Reason`` and a message for people.
public struct ApplyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable code, such as ``Reason/noMatch``.
    public var reason: Reason
    /// What happened, in words a person can act on.
    public var message: String

    /// An error with a reason and a message.
    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// `reason: message`.
    public var description: String { "\(reason.rawValue): \(message)" }
}
