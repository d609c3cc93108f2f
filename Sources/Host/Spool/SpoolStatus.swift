public import ApplierAPI
import Foundation
import Transport

/// `ghost status` when no host answers: what the spool folders on disk say.
public enum SpoolStatus {
    /// Journaled patches that have not finished yet, by what the history index says.
    static func pendingCount(_ spool: Spool, history: HistoryIndex?) -> Int {
        let records = (try? IntakeJournal.records(in: spool.journal)) ?? []
        let ids = Set(records.map(\.patch.id))
        guard let history else { return ids.subtracting(spool.finishedEntries().keys).count }
        return ids.filter { (try? history.entry(id: $0)) == nil }.count
    }

    /// Per queue: patches waiting (in the inbox and queued), counts of finished ones, the newest receipts.
    public static func read(_ config: GhostConfig, recentCount: Int = 5) -> JSONValue {
        var queues: [String: JSONValue] = [:]
        for queue in config.queues {
            let spool = Spool(directory: queue.directory)
            let inbox = ((try? FileManager.default.contentsOfDirectory(atPath: queue.directory.path)) ?? []).filter(InboxTransport.isCandidate)
            let url = HistoryIndex.location(in: spool.internalFolder)
            // The index, when there is one: reading a million receipts to count them is what it avoids.
            let history = FileManager.default.fileExists(atPath: url.path) ? try? HistoryIndex(url: url) : nil
            var counts: [String: JSONValue] = [:]
            let recent: [JSONValue]
            if let history, let byStatus = try? history.counts(), let newest = try? history.newest(limit: recentCount) {
                counts = byStatus.mapValues { .number(Double($0)) }
                recent = newest.reversed().map { EmbeddedQueueStore.remembered($0).summary }
            } else {
                let receipts = spool.receiptFiles()
                let dated = receipts.map { url in
                    (url, (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date ?? .distantPast)
                }
                recent = dated.sorted { $0.1 > $1.1 }.prefix(recentCount).reversed().compactMap { entry in
                    (try? JSONParser.parse(spool.read(entry.0))).map(Receipt.summary(of:))
                }
                let completed = receipts.filter { $0.deletingLastPathComponent().lastPathComponent == ".completed" }.count
                counts = ["completed": .number(Double(completed)), "failed": .number(Double(receipts.count - completed))]
            }
            queues[queue.name] = [
                "dir": .string(queue.directory.path),
                "workspace": .string(queue.workspace.path),
                "depth": .number(Double(inbox.count + pendingCount(spool, history: history))),
                "counts": .object(counts),
                "recent": .array(recent),
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
