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
        report.forgotten = try store.history.forget(finishedBefore: policy.dedupCutoff(now: now))
        return report
    }

    private func move(_ batch: [HistoryEntry], from folder: String, report: inout Report) throws(ApplyError) {
        let spool = store.spool
        let member = folder.dropFirst()
        var moves: [(from: String, to: String?)] = []
        var files: [URL] = []
        var byDay: [String: [(path: String, bytes: [UInt8])]] = [:]
        for entry in batch {
            guard let receipt = entry.receipt else { continue }
            let receiptName = String(receipt.dropFirst(folder.count + 1))
            let patchName = String(receiptName.dropLast(".receipt.json".count)) + ".json"
            let day = DayArchive.name(for: entry.finishedAt)
            var archived: String?
            for name in [patchName, receiptName] {
                let url = spool.directory.appendingPathComponent(folder, isDirectory: true).appendingPathComponent(name, isDirectory: false)
                files.append(url)
                if policy.action == .archive, let bytes = try? spool.read(url) { byDay[day, default: []].append(("\(member)/\(name)", bytes)) }
            }
            if policy.action == .archive { archived = ".archive/\(day)#\(member)/\(receiptName)" }
            moves.append((receipt, archived))
        }
        if !byDay.isEmpty {
            let folder = spool.directory.appendingPathComponent(".archive", isDirectory: true)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw ApplyError(.ioError, "cannot create \(folder.path): \(error.localizedDescription)")
            }
            chmod(folder.path, 0o700)
            for (day, members) in byDay { try DayArchive.append(members, to: folder.appendingPathComponent(day, isDirectory: false)) }
        }
        for url in files { unlink(url.path) }
        try Spool.syncFolder(spool.directory.appendingPathComponent(folder, isDirectory: true))
        try store.history.moveReceipts(moves)
        if policy.action == .archive { report.archived += moves.count } else { report.deleted += moves.count }
    }
}
