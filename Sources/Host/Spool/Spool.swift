import ApplierAPI
import Foundation

/// One queue's folder on disk: the inbox itself, `.completed/`, `.failed/`, and `.ghost/` (`tmp/`, and
/// `journal/`, the intake journal of patches accepted and not yet finished).
///
/// Every method does blocking file I/O and is durable when it returns: files and the folders that name
/// them are fsynced. Names in `.completed/` and `.failed/` are claimed with `link(2)`, which fails rather
/// than replace, so two writers can never take the same name and nothing is overwritten.
struct Spool: Sendable {
    /// Where a finished patch goes.
    enum Outcome: Sendable {
        /// `.completed/`: applied, unchanged or duplicate.
        case completed
        /// `.failed/`: see the receipt's reason.
        case failed
    }

    /// The queue's folder (its inbox).
    let directory: URL
    let completed: URL
    let failed: URL
    let internalFolder: URL
    let temporary: URL
    let journal: URL
    /// The executor's intent log (see ``IntentLog``).
    let intentLog: IntentLog
    /// Host deaths per unfinished patch (`.ghost/crashes.json`, see ``PoisonPolicy``).
    let crashState: CrashStateFile
    /// The suspect patch the executor has started (`.ghost/applying`, see ``PoisonPolicy``).
    let applyingMarker: ApplyingMarker
    /// Present while the queue is paused.
    let pausedMarker: PausedMarker

    /// The spool in `directory`. Every URL is built once, with its kind given: a URL built without one
    /// asks the file system whether it names a folder, a `stat` per call.
    init(directory: URL) {
        self.directory = directory
        completed = directory.appendingPathComponent(".completed", isDirectory: true)
        failed = directory.appendingPathComponent(".failed", isDirectory: true)
        internalFolder = directory.appendingPathComponent(".ghost", isDirectory: true)
        temporary = internalFolder.appendingPathComponent("tmp", isDirectory: true)
        journal = internalFolder.appendingPathComponent("journal", isDirectory: true)
        intentLog = IntentLog(url: internalFolder.appendingPathComponent("intent.log", isDirectory: false))
        crashState = CrashStateFile(url: internalFolder.appendingPathComponent("crashes.json", isDirectory: false))
        applyingMarker = ApplyingMarker(url: internalFolder.appendingPathComponent("applying", isDirectory: false))
        pausedMarker = PausedMarker(url: internalFolder.appendingPathComponent("paused", isDirectory: false))
    }

    /// Creates the folders and removes temp files a crash left behind. Only at start: later, temp files
    /// belong to writes in progress.
    func prepare() throws(ApplyError) {
        try createFolders()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] {
            unlink(temporary.appendingPathComponent(name, isDirectory: false).path)
        }
        try intentLog.prepare()
    }

    /// Runs `body`; if it fails, recreates the folders (someone may have moved the queue's folder away) and
    /// runs it once more.
    func recreatingFolders<T>(_ body: () throws(ApplyError) -> T) throws(ApplyError) -> T {
        do {
            return try body()
        } catch {
            guard foldersMissing else { throw error }
            try createFolders()
            return try body()
        }
    }

    /// True when a folder the spool writes into is gone (the queue's folder was moved or deleted).
    var foldersMissing: Bool {
        [completed, failed, temporary].contains { !FileManager.default.fileExists(atPath: $0.path) }
    }

    private func createFolders() throws(ApplyError) {
        for folder in [directory, completed, failed, internalFolder, temporary, journal] {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw ApplyError(.ioError, "cannot create \(folder.path): \(error.localizedDescription)")
            }
        }
        // Receipts hold diffs of the workspace's files and the journal holds patches: other users of the
        // machine must not read them, whatever the umask (a credential guards them over HTTP). Best effort:
        // a folder the host does not own keeps its mode.
        for folder in [completed, failed, internalFolder] { chmod(folder.path, 0o700) }
    }

    /// Every receipt in `.completed/` and `.failed/`, oldest name first within each.
    func receiptFiles() -> [URL] {
        [completed, failed].flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
                .filter { $0.hasSuffix(".receipt.json") }
                .sorted()
                .map { folder.appendingPathComponent($0, isDirectory: false) }
        }
    }

    /// What a finished patch's receipt says, for the ledger.
    struct FinishedEntry: Sendable {
        var contentHash: String
        var receipt: URL
        var status: String
    }

    /// The ledger of finished patches, from the receipts: id → content hash, receipt, status. A patch's
    /// own receipt wins over a later duplicate's.
    func finishedEntries() -> [String: FinishedEntry] {
        var entries: [String: FinishedEntry] = [:]
        for url in receiptFiles() {
            guard let receipt = try? JSONParser.parse(read(url)),
                let id = receipt["id"]?.stringValue,
                let hash = receipt["content_sha256"]?.stringValue
            else { continue }
            let status = receipt["status"]?.stringValue ?? "failed"
            if let existing = entries[id], existing.status != "duplicate" { continue }
            entries[id] = FinishedEntry(contentHash: hash, receipt: url, status: status)
        }
        return entries
    }

    /// A file's path relative to the queue's folder (`.completed/NAME.receipt.json`), as the history keeps it.
    func relativePath(of url: URL) -> String {
        url.deletingLastPathComponent().lastPathComponent + "/" + url.lastPathComponent
    }

    /// The receipt of the journaled patch `pending`, if it was filed: its name's variants are tried in both
    /// folders, each receipt checked for the patch's id and content hash. Used at start for patches that may
    /// have finished after the history's last write.
    func filedReceipt(of pending: PendingPatch) -> (url: URL, receipt: Receipt)? {
        for folder in [completed, failed] {
            var missing = 0
            var attempt = 1
            // Retention may have removed lower variants since the name was claimed: a few gaps are passed over.
            while missing < 64, attempt < 100_000 {
                let url = folder.appendingPathComponent(SpoolName.receipt(for: SpoolName.variant(pending.name, attempt: attempt)), isDirectory: false)
                attempt += 1
                guard let bytes = try? read(url) else {
                    missing += 1
                    continue
                }
                missing = 0
                guard let json = try? JSONParser.parse(bytes), let receipt = try? Receipt(json: json), receipt.id == pending.id,
                    receipt.contentSHA256 == pending.contentHash, receipt.attempt == pending.attempt, receipt.status != .duplicate
                else { continue }
                return (url, receipt)
            }
        }
        return nil
    }

    /// The receipt filed at `url`; `nil` when it cannot be read or is not a receipt.
    func receipt(at url: URL) -> Receipt? {
        (try? read(url)).flatMap(Receipt.init(bytes:))
    }

    /// Reads a whole file.
    func read(_ url: URL) throws(ApplyError) -> [UInt8] {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw ApplyError.system("cannot open \(url.path)") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ApplyError.system("cannot stat \(url.path)") }
        return try Workspace.readAll(fd, expected: Int(info.st_size), name: url.lastPathComponent)
    }

    /// What goes into `.completed/` or `.failed/` beside the receipt.
    enum PatchSource {
        /// An inbox file, moved (it leaves the inbox).
        case file(URL)
        /// A queued patch's body, from the journal.
        case bytes([UInt8])
        /// A copy already written and fsynced by ``writeTemporary(_:label:name:)``; removed once placed.
        case temporary(URL)
    }

    /// Places a patch into `.completed/` or `.failed/` under a free variant of `name`, with its receipt
    /// beside it, and fsyncs the destination. An inbox file is removed from the inbox.
    /// - Returns: The patch's and the receipt's new places.
    @discardableResult
    func finish(_ source: PatchSource, name: String, receipt: [UInt8], into outcome: Outcome) throws(ApplyError) -> (patch: URL, receipt: URL) {
        let receiptTemp = try writeTemporary(receipt, label: name)
        return try place(source, receiptTemp: receiptTemp, name: name, into: outcome)
    }

    /// ``finish(_:name:receipt:into:)`` with the receipt already written to a temp file (which is removed).
    /// With `durable: false` the destination folder is not fsynced (the caller calls ``syncAll()`` later).
    func place(
        _ source: PatchSource,
        receiptTemp: URL,
        name: String,
        into outcome: Outcome,
        durable: Bool = true
    ) throws(ApplyError) -> (patch: URL, receipt: URL) {
        defer { unlink(receiptTemp.path) }
        let folder = outcome == .completed ? completed : failed
        let patchFile: URL
        switch source {
        case .file(let url), .temporary(let url): patchFile = url
        case .bytes(let bytes): patchFile = try writeTemporary(bytes, label: name)
        }
        defer {
            switch source {
            case .bytes, .temporary: unlink(patchFile.path)
            case .file: break
            }
        }
        var attempt = 1
        while true {
            let candidate = SpoolName.variant(name, attempt: attempt)
            let patchURL = folder.appendingPathComponent(candidate, isDirectory: false)
            let receiptURL = folder.appendingPathComponent(SpoolName.receipt(for: candidate), isDirectory: false)
            attempt += 1
            var renamed = false
            if link(patchFile.path, patchURL.path) != 0 {
                var code = errno
                // The kernel refuses to link another user's file the host cannot read (protected_hardlinks):
                // an inbox file is then moved by a rename that, like link(2), never replaces.
                if code == EPERM, case .file = source {
                    if Self.renameWithoutReplacing(patchFile.path, patchURL.path) { renamed = true } else { code = errno }
                }
                if !renamed {
                    if code == EEXIST { continue }
                    throw ApplyError.system("cannot move \(patchFile.lastPathComponent) into \(folder.lastPathComponent)", errno: code)
                }
            }
            guard link(receiptTemp.path, receiptURL.path) == 0 else {
                let code = errno
                unlink(patchURL.path)
                if code == EEXIST { continue }
                throw ApplyError.system("cannot write the receipt of \(candidate)", errno: code)
            }
            if durable { try Self.syncFolder(folder) }
            if case .file = source {
                // An inbox file that came back after a crash would be taken again.
                if !renamed { unlink(patchFile.path) }
                try Self.syncFolder(patchFile.deletingLastPathComponent())
            }
            return (patchURL, receiptURL)
        }
    }

    /// `rename` that fails with `EEXIST` instead of replacing an existing destination. Only the queue's
    /// executor names files in `.completed/` and `.failed/`, so checking first leaves no one to race with.
    private static func renameWithoutReplacing(_ source: String, _ destination: String) -> Bool {
        var info = stat()
        guard lstat(destination, &info) != 0 else {
            errno = EEXIST
            return false
        }
        return rename(source, destination) == 0
    }

    /// An empty temp file in `.ghost/tmp/`, created ahead of the bytes that go into it (creating a file is
    /// the costly part on some file systems), open for writing.
    struct ReservedFile: Sendable {
        /// Where it is.
        let url: URL
        /// The open descriptor; ``Spool/fill(_:with:label:)`` writes and closes it.
        let fd: Int32
    }

    /// Creates an empty temp file named `name` in `.ghost/tmp/`, to be filled later.
    func reserveTemporary(name: String, label: String) throws(ApplyError) -> ReservedFile {
        let url = temporary.appendingPathComponent(name, isDirectory: false)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw ApplyError.system("cannot create \(url.path) for \(label)") }
        return ReservedFile(url: url, fd: fd)
    }

    /// Writes `bytes` into a reserved file and closes it (not synced: see ``syncAll()``); on an error the
    /// file is removed.
    func fill(_ file: ReservedFile, with bytes: [UInt8], label: String) throws(ApplyError) -> URL {
        defer { close(file.fd) }
        do throws(ApplyError) {
            try Workspace.writeAll(file.fd, bytes, name: label)
        } catch {
            unlink(file.url.path)
            throw error
        }
        return file.url
    }

    /// Removes a reserved file that will not be used.
    func discard(_ file: ReservedFile) {
        close(file.fd)
        unlink(file.url.path)
    }

    /// Writes and fsyncs a temp file in `.ghost/tmp/`, named `name` (unique among temp files in use; the
    /// executor names its own by sequence number) or else a random name.
    /// With `sync: false` the file is not fsynced: the caller makes it durable later (``syncAll()``).
    func writeTemporary(_ bytes: [UInt8], label: String, name: String? = nil, sync: Bool = true) throws(ApplyError) -> URL {
        let url = temporary.appendingPathComponent(name ?? "\(getpid())-\(UInt64.random(in: 0...UInt64.max)).tmp", isDirectory: false)
        try Self.writeNewFile(bytes, at: url, label: label, sync: sync)
        return url
    }

    /// The file system the spool is on (what ``syncAll()`` syncs), `nil` when it cannot be told.
    var device: dev_t? {
        var info = stat()
        return stat(directory.path, &info) == 0 ? info.st_dev : nil
    }

    /// Makes everything written on the spool's file system durable (`syncfs(2)`; elsewhere `sync(2)`
    /// and `F_FULLFSYNC`). Cheaper than an fsync per receipt when many were written since the last call.
    /// - Returns: False when the system reports a write-back error: what was written since is not trusted.
    func syncAll() -> Bool {
        let fd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        #if os(Linux)
        if let syncfs = FileSystemSync.syncfs { return syncfs(fd) == 0 }
        sync()
        return fsync(fd) == 0
        #else
        sync()
        return fcntl(fd, F_FULLFSYNC) == 0
        #endif
    }

    /// Creates `url` (never an existing file), writes `bytes` and fsyncs it (unless `sync` is false); on any
    /// error the file is removed.
    static func writeNewFile(_ bytes: [UInt8], at url: URL, label: String, sync: Bool = true) throws(ApplyError) {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw ApplyError.system("cannot create \(url.path) for \(label)") }
        defer { close(fd) }
        do throws(ApplyError) {
            try Workspace.writeAll(fd, bytes, name: label)
            // An fsync error means the bytes may not be on disk: never trusted, never retried.
            guard !sync || fsync(fd) == 0 else { throw ApplyError.system("fsync of \(label) failed") }
        } catch {
            unlink(url.path)
            throw error
        }
    }

    static func syncFolder(_ folder: URL) throws(ApplyError) {
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ApplyError.system("cannot open \(folder.path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ApplyError.system("fsync of \(folder.path) failed") }
    }
}
