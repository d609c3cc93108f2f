/// A test could not set up what it needs (a port, a process, a server): not an assertion about the code.
public struct SetupError: Error, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    public var description: String { message }

    /// An error saying `message`.
    public init(message: String) { self.message = message }
}
