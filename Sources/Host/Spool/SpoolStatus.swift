public import ApplierAPI
import Foundation
import Transport

/// `ghost status` when no host answers: what the spool folders on disk say.
public enum SpoolStatus {
    /// Journaled patches with no receipt yet.
    static func pendingCount(_ spool: Spool) -> Int {
        let finished = spool.finishedEntries()
        let records = (try? IntakeJournal.records(in: spool.journal)) ?? []
        return Set(records.map(\.patch.id)).subtracting(finished.keys).count
    }

    /// Per queue: patches waiting (in the inbox and queued), counts of finished ones, the newest receipts.
    public static func read(_ config: GhostConfig, recentCount: Int = 5) -> JSONValue {
        var queues: [String: JSONValue] = [:]
        for queue in config.queues {
            let spool = Spool(directory: queue.directory)
            let inbox = ((try? FileManager.default.contentsOfDirectory(atPath: queue.directory.path)) ?? []).filter(InboxTransport.isCandidate)
            let receipts = spool.receiptFiles()
            let dated = receipts.map { url in
                (url, (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date ?? .distantPast)
            }
            let recent = dated.sorted { $0.1 > $1.1 }.prefix(recentCount).reversed().compactMap { entry in
                (try? JSONParser.parse(spool.read(entry.0))).map(Receipt.summary(of:))
            }
            let completed = receipts.filter { $0.deletingLastPathComponent().lastPathComponent == ".completed" }.count
            queues[queue.name] = [
                "dir": .string(queue.directory.path),
                "workspace": .string(queue.workspace.path),
                "depth": .number(Double(inbox.count + pendingCount(spool))),
                "counts": ["completed": .number(Double(completed)), "failed": .number(Double(receipts.count - completed))],
                "recent": .array(Array(recent)),
            ]
        }
        return [
            "status": "not running",
            "source": .string("spool on disk (no host answered at \(config.http.host):\(config.http.port))"),
            "config": .string(config.origin),
            "default_queue": .string(config.defaultQueue),
            "queues": .object(queues),
        ]
    }
}
