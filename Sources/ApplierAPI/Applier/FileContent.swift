/// The current state of one file the host read for an applier.
public struct FileContent: Sendable, Hashable {
    /// Every byte of the file.
    public var bytes: [UInt8]
    /// Permission bits (`0o644`).
    public var mode: UInt16

    /// A file's bytes and mode.
    public init(bytes: [UInt8], mode: UInt16 = 0o644) {
        self.bytes = bytes
        self.mode = mode
    }
}

/// The files an operation named, as the host found them (staged earlier in the same patch, or on disk).
public struct FileSet: Sendable {
    /// Contents by path as written in the operation; `nil` where the file does not exist.
    public var files: [String: FileContent?]
    /// The operation's `target`, the usual single path.
    public var targetPath: String?
    /// Each path of ``files`` as the host resolved it (relative to the workspace, aliases and `.` resolved):
    /// two spellings of one file resolve to the same path. Empty when the caller resolved nothing.
    public var resolvedPaths: [String: String]

    /// A set of files.
    public init(files: [String: FileContent?], targetPath: String? = nil, resolvedPaths: [String: String] = [:]) {
        self.files = files
        self.targetPath = targetPath
        self.resolvedPaths = resolvedPaths
    }

    /// The file `path` names, as the host resolved it (`path` itself when it was not resolved): an applier
    /// that takes several paths keys its state by this, so two spellings of one file are edited as one.
    public func resolved(_ path: String) -> String { resolvedPaths[path] ?? path }

    /// The target file's content, `nil` when it does not exist.
    public var target: FileContent? {
        guard let targetPath, let content = files[targetPath] else { return nil }
        return content
    }
}
