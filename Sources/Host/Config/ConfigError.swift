/// A configuration problem, named by the key's path (`queues.MAIN.shell.allow[0]`) and, when known, its line.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// The key's path; empty for the document itself.
    public var keyPath: String
    /// What is wrong.
    public var message: String
    /// The 1-based line in the file, when known.
    public var line: Int?

    /// An error at `keyPath`.
    public init(_ keyPath: String, _ message: String, line: Int? = nil) {
        self.keyPath = keyPath
        self.message = message
        self.line = line
    }

    /// `queues.MAIN.dir (line 4): expected a string`.
    public var description: String {
        let location = line.map { " (line \($0))" } ?? ""
        return keyPath.isEmpty ? "\(message)\(location)" : "\(keyPath)\(location): \(message)"
    }
}
