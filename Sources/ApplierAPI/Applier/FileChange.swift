/// One change an applier wants made to one file; the host performs it atomically and safely.
public struct FileChange: Sendable, Hashable {
    /// What to do with the file.
    public enum Action: Sendable, Hashable {
        /// Replace (or create) the file with these bytes; `mode` nil keeps the current mode (new files: 0644).
        case write([UInt8], mode: UInt16?)
        /// Remove the file (a missing file is already deleted: unchanged).
        case delete
        /// Change the permission bits only.
        case setMode(UInt16)
    }

    /// The path as written in the patch (relative to the workspace, or absolute inside it).
    public var path: String
    /// The change.
    public var action: Action

    /// A change to one file.
    public init(path: String, action: Action) {
        self.path = path
        self.action = action
    }
}

/// What a content applier decided: the file changes, and facts worth putting in the receipt.
public struct ContentResult: Sendable, Hashable {
    /// The changes, applied in order; empty means nothing to do.
    public var changes: [FileChange]
    /// Facts for the receipt's operation entry (`"matches": 3`, `"note": "already_applied"`).
    public var details: [String: JSONValue]

    /// A result.
    public init(changes: [FileChange], details: [String: JSONValue] = [:]) {
        self.changes = changes
        self.details = details
    }
}
