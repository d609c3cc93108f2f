import ApplierAPI
import Foundation
import Logging
import NIOPosix
import Supervision

/// Applies a queue's ``RetentionPolicy``: finished patches past it leave `.completed/` and `.failed/` for the
/// day's archive (or are deleted), and history rows past the dedup window whose files are gone are dropped.
///
/// Order, so a kill at any point loses nothing: the archive is written and fsynced, then the files are
/// removed, then the history points at the archive. A sweep after a kill between the last two finds the
/// rows still pointing at the folder, the files gone, and points them at the archive their day names.
struct RetentionSweeper: Sendable {
    let store: EmbeddedQueueStore
    let logger: Logger

    /// What one sweep did.
    struct Report: Equatable, Sendable {
        var archived = 0
        var deleted = 0
        var forgotten = 0
    }

    var policy: RetentionPolicy { store.retention }

    /// How often ``run(io:)`` sweeps: a tenth of the shortest age kept, between a second and an hour.
    var interval: Duration {
        let ages = [policy.completed, policy.failed].compactMap { keep -> Double? in
            if case .age(let age) = keep { return age.milliseconds / 1000 } else { return nil }
        }
        return .seconds(min(3_600, max(1, (ages.min() ?? 36_000) / 10)))
    }

    /// Sweeps now and then every ``interval`` until cancelled, on the I/O threads; `component` is marked up
    /// on `health` at once (a first sweep over a large backlog must not hold up the host's readiness).
    func run(io: NIOThreadPool, health: HealthBoard, component: String) async throws {
        await health.set(component, .up)
        while !Task.isCancelled {
            do {
                let report = try await io.runIfActive { try sweep(now: Date()) }
                if report != Report() {
                    logger.info(
                        "retention",
                        metadata: [
                            "queue_dir": "\(store.spool.directory.path)", "archived": "\(report.archived)", "deleted": "\(report.deleted)",
                            "forgotten": "\(report.forgotten)",
                        ]
                    )
                }
            } catch is CancellationError {
                return
            } catch {
                logger.error("retention sweep failed; trying again later", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: interval)
        }
    }

    /// One sweep over both folders, then the history.
    func sweep(now: Date) throws(ApplyError) -> Report {
        var report = Report()
        DayArchive.removeTemporaries(in: archiveFolder)
        for (folder, keep) in [(".completed", policy.completed), (".failed", policy.failed)] {
            let cutoff: Date?
            let keepNewest: Int?
            switch keep {
            case .forever: continue
            case .age(let age): (cutoff, keepNewest) = (now.addingTimeInterval(-age.milliseconds / 1000), nil)
            case .count(let count): (cutoff, keepNewest) = (nil, count)
            }
            while true {
                let batch = try store.history.filed(in: folder, finishedBefore: cutoff, keepNewest: keepNewest, limit: 1_000)
                guard !batch.isEmpty else { break }
                try move(batch, from: folder, report: &report)
                if batch.count < 1_000 { break }
            }
        }
        // Rows a journal record may still name stay, whatever the window: a start matches journaled patches
        // to them (a kill can leave the journal's last file behind for as long as the queue is quiet).
        var cutoff = policy.dedupCutoff(now: now)
        if let oldest = ((try? IntakeJournal.records(in: store.spool.journal)) ?? []).map(\.patch.receivedAt).min() {
            cutoff = min(cutoff, oldest.addingTimeInterval(-1))
        }
        report.forgotten = try store.history.forget(finishedBefore: cutoff)
        return report
    }

    var archiveFolder: URL { store.spool.directory.appendingPathComponent(".archive", isDirectory: true) }

    /// Archives (or deletes) one batch: the archive is durable before a file goes, and every row it moves
    /// is durable before that too (a row lost to a power loss after its file moved could not be found).
    private func move(_ batch: [(row: Int64, entry: HistoryEntry)], from folder: String, report: inout Report) throws(ApplyError) {
        try store.history.makeDurable()
        let spool = store.spool
        let member = String(folder.dropFirst())
        let directory = spool.directory.appendingPathComponent(folder, isDirectory: true)
        var byDay: [String: [(row: Int64, entry: HistoryEntry, files: [(name: String, bytes: [UInt8])])]] = [:]
        var gone: [(row: Int64, entry: HistoryEntry)] = []
        var removable: [URL] = []
        for (row, entry) in batch {
            guard let receipt = entry.receipt else { continue }
            let receiptName = String(receipt.dropFirst(folder.count + 1))
            var files: [(name: String, bytes: [UInt8])] = []
            for name in [SpoolName.patch(forReceipt: receiptName), receiptName] {
                let url = directory.appendingPathComponent(name, isDirectory: false)
                do throws(ApplyError) {
                    files.append((name, try spool.read(url)))
                    removable.append(url)
                } catch {
                    // Only a file that is not there is passed over; one that cannot be read stays.
                    guard access(url.path, F_OK) != 0 && errno == ENOENT else { throw error }
                }
            }
            if files.isEmpty {
                gone.append((row, entry))
            } else {
                byDay[DayArchive.name(for: entry.finishedAt), default: []].append((row, entry, files))
            }
        }
        var moves: [(row: Int64, to: String?)] = []
        if policy.action == .archive {
            if !byDay.isEmpty { try createArchiveFolder() }
            for (day, items) in byDay.sorted(by: { $0.key < $1.key }) {
                let members = items.flatMap { item in item.files.map { (path: "\(member)/\($0.name)", bytes: $0.bytes) } }
                let file = try DayArchive.write(members, named: day, in: archiveFolder)
                for item in items {
                    let receiptName = item.entry.receipt.map { String($0.dropFirst(folder.count + 1)) } ?? ""
                    moves.append((item.row, ".archive/\(file)#\(member)/\(receiptName)"))
                }
            }
            // Files already gone: a sweep killed after removing them and before telling the history, or
            // someone removed them. Their day's archives are searched for their receipt.
            for (row, entry) in gone { moves.append((row, archived(entry, from: folder))) }
        } else {
            for items in byDay.values { for item in items { moves.append((item.row, nil)) } }
            for (row, _) in gone { moves.append((row, nil)) }
        }
        for url in removable { unlink(url.path) }
        // A patch's before-images go with its receipt: a revert of it is refused from now on.
        let beforeImages = BeforeImageStore(internalFolder: spool.internalFolder)
        for (_, entry) in batch { beforeImages.remove(id: entry.id, attempt: entry.attempt) }
        try Spool.syncFolder(directory)
        try store.history.moveReceipts(moves)
        if policy.action == .archive { report.archived += moves.count } else { report.deleted += moves.count }
    }

    private func createArchiveFolder() throws(ApplyError) {
        do {
            try FileManager.default.createDirectory(at: archiveFolder, withIntermediateDirectories: true)
        } catch {
            throw ApplyError(.ioError, "cannot create \(archiveFolder.path): \(error.localizedDescription)")
        }
        chmod(archiveFolder.path, 0o700)
    }

    /// Where in the day's archives the receipt of `entry` is (its id and attempt checked), or `nil`.
    private func archived(_ entry: HistoryEntry, from folder: String) -> String? {
        guard let receipt = entry.receipt else { return nil }
        let path = "\(folder.dropFirst())/\(receipt.dropFirst(folder.count + 1))"
        for archive in DayArchive.variants(of: DayArchive.name(for: entry.finishedAt), in: archiveFolder) {
            guard let bytes = DayArchive.read(path, from: archive), let json = try? JSONParser.parse(bytes),
                json["id"]?.stringValue == entry.id, (json["attempt"]?.doubleValue ?? 1) == Double(entry.attempt)
            else { continue }
            return ".archive/\(archive.lastPathComponent)#\(path)"
        }
        return nil
    }
}
