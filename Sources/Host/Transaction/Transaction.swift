import ApplierAPI
import Dispatch
import Foundation

/// One patch's file changes: staged in memory, written to disk when an effect step needs them there (or
/// at the end), and undone, file by file, when any later step fails.
///
/// Files are keyed by their canonical path below the workspace root, so `a/b`, `./a/b`, an alias path and a
/// path through an inside symlink all name the same entry.
///
/// With an ``IntentContext`` (a queue's executor), every change to the workspace is announced in the
/// intent log first: staged files are written and fsynced beside their targets, a record names them with
/// the before and after hashes, and only then are they renamed into place. A crash at any point leaves
/// enough on disk for ``IntentRecovery`` to finish the patch or undo it.
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
        /// Bytes of a new version staged by this patch (held besides ``original``).
        var stagedBytes = 0
        /// A hard link to the original, kept while a crash may need it for a rollback.
        var backup: String?
        /// SHA-256 of the original and of the staged bytes, once computed.
        var originalDigest: String?
        var stagedDigest: String?
        /// The same hashes of a large file, computed on another thread while the patch goes on (only without
        /// an intent log, whose records need them at once).
        var originalDigestTask: Task<String, Never>?
        var stagedDigestTask: Task<String, Never>?
    }

    /// Files at least this large are hashed on another thread, alongside the regex or the write.
    static let backgroundDigestBytes = 1 << 20

    let workspace: Workspace
    let maxFileBytes: Int
    /// The most file content held at once (originals plus new versions): ``PatchLimits/maxHeldBytes``.
    let maxHeldBytes: Int
    /// File content held now.
    private(set) var heldBytes = 0
    /// True when the last failure was the ``maxHeldBytes`` bound (a batch then commits what it has and
    /// starts the member again in a transaction of its own).
    private(set) var exceededHeldBytes = false
    private(set) var entries: [String: Entry] = [:]
    /// Canonical paths in the order they were first touched.
    private(set) var order: [String] = []
    private let intent: IntentContext?
    /// For a batch: every member's outcome, written into the commit record.
    var batchMembers: [IntentRecord.Member]?
    /// Canonical paths read or staged since the last ``mark()``.
    private(set) var touchedSinceMark: [String] = []
    /// False once a step that is not idempotent has started.
    private var rerunnable = true
    /// True once a record of this patch is in the intent log.
    private var announced = false
    /// True once a step has been announced.
    private var stepBegun = false
    /// Files this transaction replaced, held open so that their blocks are freed after the patch, not
    /// during its renames (see ``Workspace/install(_:at:holdingReplaced:)``).
    private var replaced: [Int32] = []

    init(workspace: Workspace, maxFileBytes: Int, maxHeldBytes: Int? = nil, intent: IntentContext? = nil) {
        self.workspace = workspace
        self.maxFileBytes = maxFileBytes
        self.maxHeldBytes = maxHeldBytes ?? PatchLimits(maxFileBytes: maxFileBytes).maxHeldBytes
        self.intent = intent
    }

    deinit {
        guard !replaced.isEmpty else { return }
        let descriptors = replaced
        DispatchQueue.global(qos: .utility).async { for fd in descriptors { close(fd) } }
    }

    /// The current state of a file as this patch sees it: staged if an earlier operation touched it, else on disk.
    func read(_ path: String) throws(ApplyError) -> (relative: String, content: FileContent?) {
        let relative = try workspace.components(of: path).joined(separator: "/")
        if let entry = entries[relative] { return touch(relative, entry.staged) }
        let (canonical, content) = try workspace.read(path, maxBytes: maxFileBytes)
        if let entry = entries[canonical] { return touch(canonical, entry.staged) }
        try hold(content?.bytes.count ?? 0, for: canonical)
        entries[canonical] = Entry(displayPath: path, original: content, staged: content, onDisk: content)
        entries[canonical]?.originalDigestTask = backgroundDigest(of: content)
        order.append(canonical)
        return touch(canonical, content)
    }

    private func touch(_ relative: String, _ content: FileContent?) -> (relative: String, content: FileContent?) {
        if !touchedSinceMark.contains(relative) { touchedSinceMark.append(relative) }
        return (relative, content)
    }

    /// The in-memory state before a batch member runs, to go back to if it fails. Valid only while
    /// nothing has been flushed.
    struct Mark {
        fileprivate var entries: [String: Entry]
        fileprivate var order: [String]

        /// A file's state when the mark was taken: staged by an earlier member, else as on disk.
        func state(of relative: String, in transaction: Transaction) -> FileContent? {
            if let entry = entries[relative] { return entry.staged }
            return transaction.entries[relative]?.original
        }
    }

    /// Marks the current state and starts a new list of touched files.
    func mark() -> Mark {
        touchedSinceMark = []
        return Mark(entries: entries, order: order)
    }

    /// Forgets everything staged since `mark`.
    func restore(_ mark: Mark) {
        entries = mark.entries
        order = mark.order
        heldBytes = entries.values.reduce(0) { $0 + ($1.original?.bytes.count ?? 0) + $1.stagedBytes }
        exceededHeldBytes = false
    }

    /// Counts `count` more bytes held, failing with ``Reason/limitExceeded`` past ``maxHeldBytes``.
    private func hold(_ count: Int, for relative: String) throws(ApplyError) {
        guard count <= maxHeldBytes - heldBytes else {
            exceededHeldBytes = true
            throw ApplyError(
                .limitExceeded,
                "\(relative) would bring the file content this patch holds to \(heldBytes + count) bytes; "
                    + "a patch may hold \(maxHeldBytes) (4 × limits.max_file_bytes)"
            )
        }
        heldBytes += count
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
            let previous = entries[relative]?.stagedBytes ?? 0
            try hold(bytes.count - previous, for: relative)
            entries[relative]?.stagedBytes = bytes.count
            // A kept mode loses setuid, setgid and sticky: the workspace never sets them.
            next = FileContent(bytes: bytes, mode: try Self.permissions(mode, of: relative) ?? (current?.mode).map { $0 & 0o777 } ?? 0o644)
        case .delete:
            next = nil
            heldBytes -= entries[relative]?.stagedBytes ?? 0
            entries[relative]?.stagedBytes = 0
        case .setMode(let mode):
            guard let current else { throw ApplyError(.fileNotFound, "\(relative) does not exist") }
            next = FileContent(bytes: current.bytes, mode: try Self.permissions(mode, of: relative) ?? current.mode)
        }
        entries[relative]?.staged = next
        entries[relative]?.stagedDigest = nil
        entries[relative]?.stagedDigestTask?.cancel()
        entries[relative]?.stagedDigestTask = nil
    }

    /// An applier's mode, refused with ``Reason/invalidPatch`` when it has bits beyond `0o777`.
    private static func permissions(_ mode: UInt16?, of relative: String) throws(ApplyError) -> UInt16? {
        guard let mode, mode & ~0o777 != 0 else { return mode }
        throw ApplyError(
            .invalidPatch,
            "mode \(String(mode, radix: 8)) for \(relative) has setuid, setgid or sticky bits; only 0777 and below is allowed"
        )
    }

    /// A task hashing a large file's bytes, when there is no intent log to hash them for.
    private func backgroundDigest(of content: FileContent?) -> Task<String, Never>? {
        guard intent == nil, let bytes = content?.bytes, bytes.count >= Self.backgroundDigestBytes else { return nil }
        return Task.detached { Digest.sha256(bytes) }
    }

    /// Writes every staged state that differs from what is on disk.
    /// - Parameter final: No step runs after this: with an intent log, this is the patch's commit point.
    func flush(final: Bool) async throws(ApplyError) {
        if let intent { return try await journaledFlush(final: final, intent) }
        for relative in order {
            guard let entry = entries[relative], entry.staged != entry.onDisk else { continue }
            if entry.stagedDigestTask == nil && entry.staged?.bytes != entry.original?.bytes {
                entries[relative]?.stagedDigestTask = backgroundDigest(of: entry.staged)
            }
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
            try workspace.setMode(relative, mode: state.mode, ownLinks: entries[relative]?.backup == nil ? 0 : 1)
        } else {
            let created = try workspace.writeAtomically(relative, bytes: state.bytes, mode: state.mode)
            entries[relative]?.createdFolders += created
        }
    }

    /// Announces that a step is about to run, with the files as they are on disk now.
    func beginStep(_ command: String, idempotent: Bool) throws(ApplyError) {
        guard let intent else { return }
        try intent.commitGuard?()
        rerunnable = rerunnable && idempotent
        stepBegun = true
        try announce(.step, intent, staged: [:], step: command)
    }

    private func journaledFlush(final: Bool, _ intent: IntentContext) async throws(ApplyError) {
        // Before anything is written, the intent log included: a fenced-off owner leaves the new owner's alone.
        try intent.commitGuard?()
        let pending = order.filter { entries[$0].map { $0.staged != $0.onDisk } ?? false }
        guard !pending.isEmpty else {
            // Steps ran since the last record: the patch is done, and a crash from here on must not undo it.
            if final && announced { try announce(.commit, intent, staged: [:]) }
            discardBackups()
            return
        }
        var toStage: [(relative: String, content: FileContent)] = []
        var staged: [String: String] = [:]
        for relative in pending {
            guard let entry = entries[relative], let next = entry.staged, next.bytes != entry.onDisk?.bytes else { continue }
            toStage.append((relative, next))
            let name = relative.split(separator: "/").last.map(String.init) ?? relative
            staged[relative] = Workspace.sideName(name, tag: intent.tag, backup: false)
        }
        // Whatever is not renamed into place below is removed.
        defer { for (relative, name) in staged { workspace.removeSide(name, of: relative) } }
        if !final {
            for relative in pending {
                guard let entry = entries[relative], entry.backup == nil, entry.original != nil, entry.onDisk == entry.original else { continue }
                entries[relative]?.backup = try workspace.linkBackup(relative, tag: intent.tag)
            }
        }
        // Staged names are known before the files exist, so the staged files and the record that names them
        // are made durable side by side (and beside the patch's intake record, when that is still on its way
        // to disk); nothing is renamed until all are. Staged files and a record of a patch whose intake record
        // never becomes durable are only leftovers to recovery, which knows no such patch.
        let record = makeRecord(final ? .commit : .flush, intent, staged: staged)
        var createdFolders: [(String, [String])] = []
        var stagingError: ApplyError?
        let append: @Sendable () -> ApplyError? = {
            do throws(ApplyError) {
                try intent.log.append(record)
                return nil
            } catch {
                return error
            }
        }
        let loggingError = alongside(append) {
            do throws(ApplyError) {
                for (relative, content) in toStage {
                    createdFolders.append(
                        (relative, try workspace.writeStaged(relative, bytes: content.bytes, mode: content.mode, tag: intent.tag).created)
                    )
                }
            } catch {
                stagingError = error
            }
        }
        for (relative, folders) in createdFolders { entries[relative]?.createdFolders += folders }
        if loggingError == nil { announced = true }
        if let error = stagingError ?? loggingError { throw error }
        try await intent.awaitIntake()
        var folders: [String] = []
        for relative in pending {
            guard let entry = entries[relative] else { continue }
            if let name = staged.removeValue(forKey: relative) {
                if let held = try workspace.install(name, at: relative, holdingReplaced: entry.onDisk != nil) { replaced.append(held) }
            } else if entry.staged == nil {
                try workspace.remove(relative)
            } else if let next = entry.staged {
                try workspace.setMode(relative, mode: next.mode, ownLinks: entry.backup == nil ? 0 : 1)
            }
            entries[relative]?.onDisk = entry.staged
            let folder = relative.split(separator: "/").dropLast().joined(separator: "/")
            if !folders.contains(folder) {
                folders.append(folder)
                // The commit's renames may wait for the queue's next checkpoint: the record stays until then.
                if final, let deferred = intent.folderSyncs {
                    deferred.add(relative)
                } else {
                    try workspace.syncFolder(of: relative)
                }
            }
        }
        if final { discardBackups() }
    }

    private func announce(_ stage: IntentRecord.Stage, _ intent: IntentContext, staged: [String: String], step: String? = nil) throws(ApplyError) {
        try intent.log.append(makeRecord(stage, intent, staged: staged, step: step))
        announced = true
    }

    /// The record of where the patch is now, hashing what has not been hashed yet.
    private func makeRecord(_ stage: IntentRecord.Stage, _ intent: IntentContext, staged: [String: String], step: String? = nil) -> IntentRecord {
        var files: [IntentRecord.File] = []
        for relative in order {
            guard var entry = entries[relative] else { continue }
            if let original = entry.original, entry.originalDigest == nil { entry.originalDigest = Digest.sha256(original.bytes) }
            if let next = entry.staged, entry.stagedDigest == nil { entry.stagedDigest = Digest.sha256(next.bytes) }
            entries[relative] = entry
            files.append(
                IntentRecord.File(
                    path: relative,
                    before: IntentRecord.FileState(sha256: entry.originalDigest, content: entry.original),
                    after: IntentRecord.FileState(sha256: entry.stagedDigest, content: entry.staged),
                    staged: staged[relative],
                    backup: entry.backup
                )
            )
        }
        return IntentRecord(
            sequence: intent.sequence,
            id: intent.id,
            stage: stage,
            rerunnable: rerunnable,
            files: files,
            step: step,
            members: stage == .commit ? batchMembers : nil
        )
    }

    /// The original and staged digests computed so far (for the intent log, or on another thread), by path,
    /// for the receipt to reuse.
    func knownDigests(_ relative: String) async -> (before: String?, after: String?) {
        guard let entry = entries[relative] else { return (nil, nil) }
        var before = entry.originalDigest
        if before == nil { before = await entry.originalDigestTask?.value }
        var after = entry.stagedDigest
        if after == nil { after = await entry.stagedDigestTask?.value }
        return (before, after)
    }

    private func discardBackups() {
        for relative in order {
            guard let backup = entries[relative]?.backup else { continue }
            workspace.removeSide(backup, of: relative)
            entries[relative]?.backup = nil
        }
    }

    /// Restores every file this transaction changed on disk to its original bytes and mode, newest first,
    /// and removes folders it created. Returns what could not be restored (empty when all went well).
    @discardableResult
    func rollback() -> [String] {
        var failures: [String] = []
        // Fenced off (another host took the queue): its recovery settles the files from the intent log, and a
        // restore from here could write over what it has applied since.
        if let guardCommit = intent?.commitGuard {
            do throws(ApplyError) {
                try guardCommit()
            } catch {
                return ["not restored: \(error.message)"]
            }
        }
        let changedOnDisk = entries.values.contains { $0.onDisk != $0.original }
        if let intent, announced, changedOnDisk || stepBegun {
            // A crash during the restore must finish it, not roll the patch forward. With nothing changed and
            // no step started (a failure before the first rename, such as an intake record that never became
            // durable) there is nothing to restore, and the commit record alone already means "never started".
            do {
                try announce(.rollback, intent, staged: [:])
            } catch {
                failures.append("the intent log: \(error.message)")
            }
        }
        defer { if failures.isEmpty { discardBackups() } }
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
