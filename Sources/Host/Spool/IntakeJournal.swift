import ApplierAPI
import Dispatch
import Foundation
import Synchronization

/// A queue's intake journal: every accepted patch is appended here, and acknowledged only once the append
/// is on disk (`fdatasync`).
///
/// A writer thread of its own makes appends durable. Whatever arrives while it is writing and syncing is
/// gathered and made durable together by its next flush (group commit), so sixteen concurrent deliveries
/// cost one disk flush, not sixteen; and the next flush starts as soon as the last one ends, with no
/// hand-off through other threads in between (measured: the hand-offs cost as much as the flush).
/// A file is never appended to after a restart or a failed flush: a new generation starts, and an old
/// file is deleted once every patch in it has finished.
final class IntakeJournal: Sendable {
    let folder: URL
    /// `folder` as a path, for building file paths without URLs.
    private let folderPath: String
    /// Rotate to a new file once the current one is this large.
    private let rotateAt: Int
    private let shared: Shared

    /// What the writer thread and appenders share; the writer thread holds this, not the journal, so the
    /// journal's `deinit` can stop it.
    private final class Shared: Sendable {
        struct State {
            var generation: UInt64 = 0
            var descriptor: Int32 = -1
            /// Bytes written or being written to the current file.
            var size = 0
            /// Records gathered for the next flush, and who waits for them.
            var buffer: [UInt8] = []
            var waiting: [Durability] = []
            var flushing = false
            /// The writer thread is waiting for work.
            var writerIdle = false
            var stopped = false
        }

        let state = Mutex(State())
        let wake = DispatchSemaphore(value: 0)
    }

    init(folder: URL, rotateAt: Int = 16 << 20) {
        self.folder = folder
        self.folderPath = folder.path
        self.rotateAt = rotateAt
        self.shared = Shared()
    }

    deinit {
        let wakeWriter = shared.state.withLock { state in
            state.stopped = true
            if state.descriptor >= 0 && !state.flushing { close(state.descriptor) }
            return state.writerIdle
        }
        if wakeWriter { shared.wake.signal() }
    }

    /// Waits until every record handed over is written and synced (or has failed), then stops the writer
    /// thread and closes the file: a queue stopped by a reload closes its journal before its replacement
    /// recovers the same files. Called once nothing more is appended.
    func stop() {
        while shared.state.withLock({ !$0.buffer.isEmpty || $0.flushing }) { usleep(100) }
        let wakeWriter = shared.state.withLock { state in
            state.stopped = true
            if state.descriptor >= 0 {
                close(state.descriptor)
                state.descriptor = -1
            }
            return state.writerIdle
        }
        if wakeWriter { shared.wake.signal() }
    }

    /// The generation being appended to.
    var generation: UInt64 { shared.state.withLock { $0.generation } }

    /// The path of a generation's file, built as a string (per delivery, a URL costs more than the rest).
    nonisolated func path(_ generation: UInt64) -> String { Self.path(generation, in: folderPath) }

    private static func path(_ generation: UInt64, in folder: String) -> String {
        let digits = String(generation)
        return folder + "/" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".log"
    }

    /// Every whole record in the folder, oldest generation first; torn tails are cut off the files.
    nonisolated func recover() throws(ApplyError) -> [JournalRecord] {
        try Self.createFolder(folder)
        return try Self.records(in: folder, repair: true)
    }

    /// Every whole record in a journal folder; with `repair`, torn tails are cut off the files.
    static func records(in folder: URL, repair: Bool = false) throws(ApplyError) -> [JournalRecord] {
        var records: [JournalRecord] = []
        for generation in generations(in: folder) {
            let url = file(generation, in: folder)
            let data: [UInt8]
            do {
                data = try [UInt8](Data(contentsOf: url))
            } catch {
                throw ApplyError(.ioError, "cannot read the journal \(url.path): \(error.localizedDescription)")
            }
            let decoded = JournalRecord.decode(data, generation: generation)
            if repair && decoded.validLength < data.count { truncate(url.path, off_t(decoded.validLength)) }
            records += decoded.records
        }
        return records
    }

    /// The generations on disk.
    nonisolated func generations() -> [UInt64] { Self.generations(in: folder) }

    private static func generations(in folder: URL) -> [UInt64] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .compactMap { $0.hasSuffix(".log") ? UInt64($0.dropLast(4)) : nil }
            .sorted()
    }

    private static func file(_ generation: UInt64, in folder: URL) -> URL {
        URL(fileURLWithPath: path(generation, in: folder.path), isDirectory: false)
    }

    /// Opens a new generation after every one on disk and starts the writer thread.
    func start() throws(ApplyError) {
        let next = (generations().last ?? 0) + 1
        try shared.state.withLock { state throws(ApplyError) in try openGeneration(next, in: &state) }
        let shared = self.shared
        let folder = self.folder
        let rotateAt = self.rotateAt
        let thread = Thread { Self.writeLoop(shared, folder: folder, rotateAt: rotateAt) }
        thread.name = "ghost-journal"
        thread.start()
    }

    private func openGeneration(_ next: UInt64, in state: inout Shared.State) throws(ApplyError) {
        try Self.openGeneration(next, folder: folder, in: &state)
    }

    private static func openGeneration(_ next: UInt64, folder: URL, in state: inout Shared.State) throws(ApplyError) {
        try createFolder(folder)
        let path = path(next, in: folder.path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ApplyError.system("cannot create the journal \(path)") }
        guard fsync(fd) == 0 else {
            close(fd)
            throw ApplyError.system("fsync of the journal \(path) failed")
        }
        try Spool.syncFolder(folder)
        if state.descriptor >= 0 { close(state.descriptor) }
        state.descriptor = fd
        state.generation = next
        state.size = 0
    }

    /// True when the open file is still the one at its path.
    private func isInPlace(_ state: Shared.State) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(state.descriptor, &open) == 0, stat(path(state.generation), &named) == 0 else { return false }
        return open.st_ino == named.st_ino && open.st_dev == named.st_dev
    }

    /// Appends a record and returns once it is durable.
    func append(_ patch: PendingPatch, body: [UInt8]) async throws(ApplyError) -> JournalLocation {
        let (location, durability) = try enqueue(patch, body: body)
        try await durability.wait()
        return location
    }

    /// Hands a record to the writer thread and returns at once with where it will be and a handle that
    /// tells when it is durable. Nothing may be acknowledged, or written on its account, before that.
    func enqueue(_ patch: PendingPatch, body: [UInt8]) throws(ApplyError) -> (JournalLocation, Durability) {
        let (bytes, bodyOffset) = JournalRecord.encode(patch, body: body)
        let durability = Durability()
        let (location, wakeWriter) = try shared.state.withLock { state throws(ApplyError) -> (JournalLocation, Bool) in
            // After a failed flush (nothing is in flight then), or when the queue's folder was moved away from
            // under the open file: a new file, in the folder where the queue is now.
            if state.descriptor < 0 || (!state.flushing && state.buffer.isEmpty && !isInPlace(state)) {
                try openGeneration(state.generation + 1, in: &state)
            }
            let location = JournalLocation(generation: state.generation, offset: state.size + state.buffer.count + bodyOffset, length: body.count)
            state.buffer += bytes
            state.waiting.append(durability)
            defer { state.writerIdle = false }
            return (location, state.writerIdle)
        }
        if wakeWriter { shared.wake.signal() }
        return (location, durability)
    }

    /// The writer thread: writes and syncs everything gathered so far, wakes who waited for it, and goes on
    /// with what arrived meanwhile. A failed write or flush is never retried or trusted: its deliveries,
    /// and those gathered for the same file, are refused, and later appends go to a fresh generation.
    private static func writeLoop(_ shared: Shared, folder: URL, rotateAt: Int) {
        let folderPath = folder.path
        while true {
            let batch = shared.state.withLock {
                state -> (bytes: [UInt8], waiting: [Durability], fd: Int32, path: String)? in
                guard !state.buffer.isEmpty, state.descriptor >= 0 else {
                    state.writerIdle = true
                    return nil
                }
                let batch = (state.buffer, state.waiting, state.descriptor, path(state.generation, in: folderPath))
                state.buffer = []
                state.waiting = []
                state.size += batch.0.count
                state.flushing = true
                return batch
            }
            guard let batch else {
                if shared.state.withLock({ $0.stopped }) { return }
                shared.wake.wait()
                continue
            }
            var outcome: Result<Void, ApplyError> = .success(())
            do throws(ApplyError) {
                try Workspace.writeAll(batch.fd, batch.bytes, name: batch.path)
                guard fdatasync(batch.fd) == 0 else { throw ApplyError.system("fdatasync of the journal \(batch.path) failed") }
            } catch {
                outcome = .failure(error)
            }
            let failedAlso = shared.state.withLock { state -> [Durability] in
                state.flushing = false
                if case .failure = outcome {
                    // The file's tail is unknown now: what was gathered for it fails too.
                    let gathered = state.waiting
                    state.waiting = []
                    state.buffer = []
                    close(state.descriptor)
                    state.descriptor = -1
                    return gathered
                }
                if state.stopped && state.buffer.isEmpty {
                    close(state.descriptor)
                    state.descriptor = -1
                } else if state.buffer.isEmpty && state.size >= rotateAt {
                    // Rotate only between flushes: every gathered record's location names the current file.
                    try? openGeneration(state.generation + 1, folder: folder, in: &state)
                }
                return []
            }
            for durability in batch.waiting + failedAlso { durability.resolve(outcome) }
        }
    }

    /// Deletes a generation's file once nothing in it is waiting any more; the caller never names the file
    /// being appended to.
    nonisolated func retireOnDisk(_ old: UInt64) {
        unlink(path(old))
    }

    /// Reads a queued patch's body.
    nonisolated func body(at location: JournalLocation) throws(ApplyError) -> [UInt8] {
        let path = path(location.generation)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ApplyError.system("cannot open the journal \(path)") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: location.length)
        var done = 0
        while done < location.length {
            let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, location.length - done, off_t(location.offset + done)) }
            guard count > 0 else { throw ApplyError.system("cannot read the journal \(path)") }
            done += count
        }
        return bytes
    }

    private static func createFolder(_ folder: URL) throws(ApplyError) {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ApplyError(.ioError, "cannot create \(folder.path): \(error.localizedDescription)")
        }
    }
}
