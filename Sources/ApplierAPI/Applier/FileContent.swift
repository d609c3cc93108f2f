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

    /// A set of files.
    public init(files: [String: FileContent?], targetPath: String? = nil) {
        self.files = files
        self.targetPath = targetPath
    }

    /// The target file's content, `nil` when it does not exist.
    public var target: FileContent? {
        guard let targetPath, let content = files[targetPath] else { return nil }
        return content
    }
}
