import ApplierAPI
import Foundation
import NIOPosix

/// A queue's intake journal: every accepted patch is appended here, and acknowledged only once the append
/// is on disk (`fdatasync`).
///
/// Appends that arrive while a write is on its way to disk are gathered and made durable together by the
/// next one (group commit), so sixteen concurrent deliveries cost one disk flush, not sixteen.
/// A file is never appended to after a restart or a failed flush: a new generation starts, and an old
/// file is deleted once every patch in it has finished.
actor IntakeJournal {
    let folder: URL
    private let io: NIOThreadPool
    private(set) var generation: UInt64 = 0
    private var descriptor: Int32 = -1
    private var size = 0
    private var buffer: [UInt8] = []
    private var waiting: [CheckedContinuation<Void, any Error>] = []
    private var flushing = false
    /// Rotate to a new file once the current one is this large.
    private let rotateAt: Int

    init(folder: URL, io: NIOThreadPool, rotateAt: Int = 32 << 20) {
        self.folder = folder
        self.io = io
        self.rotateAt = rotateAt
    }

    /// The file of a generation.
    nonisolated func file(_ generation: UInt64) -> URL { Self.file(generation, in: folder) }

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
        let digits = String(generation)
        return folder.appendingPathComponent(String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".log")
    }

    /// Opens a new generation after every one on disk.
    func start() throws(ApplyError) {
        try openGeneration((generations().last ?? 0) + 1)
    }

    private func openGeneration(_ next: UInt64) throws(ApplyError) {
        try Self.createFolder(folder)
        let fd = open(file(next).path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ApplyError.system("cannot create the journal \(file(next).path)") }
        guard fsync(fd) == 0 else {
            close(fd)
            throw ApplyError.system("fsync of the journal \(file(next).path) failed")
        }
        try Spool.syncFolder(folder)
        if descriptor >= 0 { close(descriptor) }
        descriptor = fd
        generation = next
        size = 0
    }

    /// True when the open file is still the one at its path.
    private func isInPlace() -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(descriptor, &open) == 0, stat(file(generation).path, &named) == 0 else { return false }
        return open.st_ino == named.st_ino && open.st_dev == named.st_dev
    }

    /// Appends a record and returns once it is durable.
    func append(_ patch: PendingPatch, body: [UInt8]) async throws(ApplyError) -> JournalLocation {
        // After a failed flush (nothing is in flight then), or when the queue's folder was moved away from
        // under the open file: a new file, in the folder where the queue is now.
        if descriptor < 0 || (!flushing && buffer.isEmpty && !isInPlace()) { try openGeneration(generation + 1) }
        let (bytes, bodyOffset) = JournalRecord.encode(patch, body: body)
        let location = JournalLocation(generation: generation, offset: size + buffer.count + bodyOffset, length: body.count)
        buffer += bytes
        do {
            try await withCheckedThrowingContinuation { continuation in
                waiting.append(continuation)
                if !flushing { flush() }
            }
        } catch {
            throw error as? ApplyError ?? ApplyError(.ioError, "\(error)")
        }
        return location
    }

    /// Writes and syncs everything gathered so far on the I/O threads; what arrives meanwhile waits for the next flush.
    private func flush() {
        flushing = true
        let bytes = buffer
        let batch = waiting
        let fd = descriptor
        let path = file(generation).path
        buffer = []
        waiting = []
        size += bytes.count
        Task {
            let outcome: Result<Void, ApplyError>
            do {
                try await io.runIfActive {
                    try Workspace.writeAll(fd, bytes, name: path)
                    // A failed flush is never retried or trusted: these deliveries are refused.
                    guard fdatasync(fd) == 0 else { throw ApplyError.system("fdatasync of the journal \(path) failed") }
                }
                outcome = .success(())
            } catch {
                outcome = .failure(error as? ApplyError ?? ApplyError(.ioError, "\(error)"))
            }
            self.flushed(batch, outcome)
        }
    }

    private func flushed(_ batch: [CheckedContinuation<Void, any Error>], _ outcome: Result<Void, ApplyError>) {
        var failed = batch
        if case .failure = outcome {
            // The file's tail is unknown now: what was gathered for it fails too, and later appends go to a
            // fresh generation.
            failed += waiting
            waiting = []
            buffer = []
            close(descriptor)
            descriptor = -1
        }
        for continuation in failed { continuation.resume(with: outcome.mapError { $0 as any Error }) }
        flushing = false
        if !waiting.isEmpty {
            flush()
        } else if descriptor >= 0 && size >= rotateAt {
            // Rotate only between flushes: every gathered record's location names the current file.
            try? openGeneration(generation + 1)
        }
    }

    /// Deletes a generation's file once nothing in it is waiting any more; the caller never names the file
    /// being appended to.
    nonisolated func retireOnDisk(_ old: UInt64) {
        unlink(file(old).path)
    }

    /// Reads a queued patch's body.
    nonisolated func body(at location: JournalLocation) throws(ApplyError) -> [UInt8] {
        let path = file(location.generation).path
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
