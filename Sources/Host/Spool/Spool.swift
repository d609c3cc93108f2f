import ApplierAPI
import Foundation

/// One queue's folder on disk: the inbox itself, `.completed/`, `.failed/`, and `.ghost/` (`tmp/`, `pending/`).
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

    var completed: URL { directory.appendingPathComponent(".completed") }
    var failed: URL { directory.appendingPathComponent(".failed") }
    var internalFolder: URL { directory.appendingPathComponent(".ghost") }
    var temporary: URL { internalFolder.appendingPathComponent("tmp") }
    var pending: URL { internalFolder.appendingPathComponent("pending") }

    /// Creates the folders and removes temp files a crash left behind. Only at start: later, temp files
    /// belong to writes in progress.
    func prepare() throws(ApplyError) {
        try createFolders()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] {
            unlink(temporary.appendingPathComponent(name).path)
        }
    }

    /// Runs `body`; if it fails, recreates the folders (someone may have moved the queue's folder away) and
    /// runs it once more.
    func recreatingFolders<T>(_ body: () throws(ApplyError) -> T) throws(ApplyError) -> T {
        do {
            return try body()
        } catch {
            guard
                !FileManager.default.fileExists(atPath: pending.path) || !FileManager.default.fileExists(atPath: completed.path)
                    || !FileManager.default.fileExists(atPath: failed.path) || !FileManager.default.fileExists(atPath: temporary.path)
            else { throw error }
            try createFolders()
            return try body()
        }
    }

    private func createFolders() throws(ApplyError) {
        for folder in [directory, completed, failed, internalFolder, temporary, pending] {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw ApplyError(.ioError, "cannot create \(folder.path): \(error.localizedDescription)")
            }
        }
    }

    /// Writes a queued patch durably: temp file, fsync, rename into `pending/`, fsync `pending/`.
    func writePending(_ patch: PendingPatch, body: [UInt8]) throws(ApplyError) -> URL {
        let temp = try writeTemporary(body, label: patch.name)
        let destination = pending.appendingPathComponent(patch.fileName)
        guard rename(temp.path, destination.path) == 0 else {
            let error = ApplyError.system("cannot move \(patch.name) into the queue")
            unlink(temp.path)
            throw error
        }
        try Self.syncFolder(pending)
        return destination
    }

    /// The names in `pending/`, in arrival order.
    func pendingFileNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: pending.path)) ?? [])
            .filter { PendingPatch.parseFileName($0) != nil }
            .sorted()
    }

    /// Every receipt in `.completed/` and `.failed/`, oldest name first within each.
    func receiptFiles() -> [URL] {
        [completed, failed].flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
                .filter { $0.hasSuffix(".receipt.json") }
                .sorted()
                .map { folder.appendingPathComponent($0) }
        }
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

    /// Moves a patch file (from `pending/` or the inbox) into `.completed/` or `.failed/` under a free
    /// variant of `name`, with its receipt beside it, and fsyncs the destination.
    /// - Returns: The patch's and the receipt's new places.
    @discardableResult
    func finish(_ patchFile: URL, name: String, receipt: [UInt8], into outcome: Outcome) throws(ApplyError) -> (patch: URL, receipt: URL) {
        let folder = outcome == .completed ? completed : failed
        let receiptTemp = try writeTemporary(receipt, label: name)
        defer { unlink(receiptTemp.path) }
        var attempt = 1
        while true {
            let candidate = SpoolName.variant(name, attempt: attempt)
            let patchURL = folder.appendingPathComponent(candidate)
            let receiptURL = folder.appendingPathComponent(SpoolName.receipt(for: candidate))
            attempt += 1
            guard link(patchFile.path, patchURL.path) == 0 else {
                if errno == EEXIST { continue }
                throw ApplyError.system("cannot move \(patchFile.lastPathComponent) into \(folder.lastPathComponent)")
            }
            guard link(receiptTemp.path, receiptURL.path) == 0 else {
                let code = errno
                unlink(patchURL.path)
                if code == EEXIST { continue }
                throw ApplyError.system("cannot write the receipt of \(candidate)", errno: code)
            }
            try Self.syncFolder(folder)
            unlink(patchFile.path)
            // A removal lost in a crash is harmless from pending/ (the ledger sees the receipt), but an inbox
            // file that came back would be taken again.
            if patchFile.deletingLastPathComponent().standardizedFileURL.path == directory.standardizedFileURL.path {
                try Self.syncFolder(directory)
            }
            return (patchURL, receiptURL)
        }
    }

    /// Removes a file and fsyncs its folder.
    func remove(_ url: URL) throws(ApplyError) {
        guard unlink(url.path) == 0 || errno == ENOENT else { throw ApplyError.system("cannot remove \(url.path)") }
        try Self.syncFolder(url.deletingLastPathComponent())
    }

    private func writeTemporary(_ bytes: [UInt8], label: String) throws(ApplyError) -> URL {
        let url = temporary.appendingPathComponent("\(getpid())-\(UInt64.random(in: 0...UInt64.max)).tmp")
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw ApplyError.system("cannot create a temp file for \(label) in \(temporary.path)") }
        defer { close(fd) }
        do throws(ApplyError) {
            try Workspace.writeAll(fd, bytes, name: label)
            // An fsync error means the bytes may not be on disk: the delivery is refused, never acknowledged.
            guard fsync(fd) == 0 else { throw ApplyError.system("fsync of \(label) failed") }
        } catch {
            unlink(url.path)
            throw error
        }
        return url
    }

    static func syncFolder(_ folder: URL) throws(ApplyError) {
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ApplyError.system("cannot open \(folder.path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ApplyError.system("fsync of \(folder.path) failed") }
    }
}
