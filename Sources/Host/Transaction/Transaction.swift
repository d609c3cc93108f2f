import ApplierAPI

/// One patch's file changes: staged in memory, written to disk when an effect step needs them there (or
/// at the end), and undone, file by file, when any later step fails.
///
/// Files are keyed by their canonical path below the workspace root, so `a/b`, `./a/b`, an alias path and a
/// path through an inside symlink all name the same entry.
final class Transaction {
    struct Entry {
        /// The path as first written in the patch.
        var displayPath: String
        /// The file before the patch (`nil`: it did not exist).
        var original: FileContent?
        /// The state the patch wants (`nil`: deleted).
        var staged: FileContent?
        /// What this transaction last left on disk.
        var onDisk: FileContent?
        /// Folders created to write this file.
        var createdFolders: [String] = []
    }

    let workspace: Workspace
    let maxFileBytes: Int
    private(set) var entries: [String: Entry] = [:]
    /// Canonical paths in the order they were first touched.
    private(set) var order: [String] = []

    init(workspace: Workspace, maxFileBytes: Int) {
        self.workspace = workspace
        self.maxFileBytes = maxFileBytes
    }

    /// The current state of a file as this patch sees it: staged if an earlier operation touched it, else on disk.
    func read(_ path: String) throws(ApplyError) -> (relative: String, content: FileContent?) {
        let relative = try workspace.components(of: path).joined(separator: "/")
        if let entry = entries[relative] { return (relative, entry.staged) }
        let (canonical, content) = try workspace.read(path, maxBytes: maxFileBytes)
        if let entry = entries[canonical] { return (canonical, entry.staged) }
        entries[canonical] = Entry(displayPath: path, original: content, staged: content, onDisk: content)
        order.append(canonical)
        return (canonical, content)
    }

    /// Records the state a change asks for; nothing is written yet.
    func stage(_ change: FileChange) throws(ApplyError) {
        let (relative, current) = try read(change.path)
        let next: FileContent?
        switch change.action {
        case .write(let bytes, let mode):
            guard bytes.count <= maxFileBytes else {
                throw ApplyError(.limitExceeded, "new \(relative) would be \(bytes.count) bytes; the file size limit is \(maxFileBytes)")
            }
            next = FileContent(bytes: bytes, mode: mode ?? current?.mode ?? 0o644)
        case .delete:
            next = nil
        case .setMode(let mode):
            guard let current else { throw ApplyError(.fileNotFound, "\(relative) does not exist") }
            next = FileContent(bytes: current.bytes, mode: mode)
        }
        entries[relative]?.staged = next
    }

    /// Writes every staged state that differs from what is on disk, atomically, file by file.
    func flush() throws(ApplyError) {
        for relative in order {
            guard let entry = entries[relative], entry.staged != entry.onDisk else { continue }
            try write(entry.staged, over: entry.onDisk, at: relative)
            entries[relative]?.onDisk = entry.staged
        }
    }

    private func write(_ state: FileContent?, over current: FileContent?, at relative: String) throws(ApplyError) {
        guard let state else {
            try workspace.remove(relative)
            return
        }
        if let current, current.bytes == state.bytes {
            try workspace.setMode(relative, mode: state.mode)
        } else {
            let created = try workspace.writeAtomically(relative, bytes: state.bytes, mode: state.mode)
            entries[relative]?.createdFolders += created
        }
    }

    /// Restores every file this transaction changed on disk to its original bytes and mode, newest first,
    /// and removes folders it created. Returns what could not be restored (empty when all went well).
    @discardableResult
    func rollback() -> [String] {
        var failures: [String] = []
        for relative in order.reversed() {
            guard let entry = entries[relative] else { continue }
            if entry.onDisk != entry.original {
                do {
                    try write(entry.original, over: entry.onDisk, at: relative)
                    entries[relative]?.onDisk = entry.original
                } catch {
                    failures.append("\(relative): \(error.message)")
                }
            }
            workspace.removeEmptyFolders(entries[relative]?.createdFolders ?? [])
        }
        return failures
    }
}
