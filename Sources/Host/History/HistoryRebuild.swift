import ApplierAPI
import Foundation

/// Builds a queue's history index from its files: every receipt in `.completed/` and `.failed/` and in the
/// retention archives. Runs when the index is missing at start, and for `ghost index rebuild`.
enum HistoryRebuild {
    /// Adds a row for every receipt found to `index` (which should be empty). Returns how many.
    @discardableResult
    static func rebuild(_ index: HistoryIndex, from spool: Spool) throws(ApplyError) -> Int {
        var batch: [HistoryEntry] = []
        var count = 0
        func add(_ entry: HistoryEntry) throws(ApplyError) {
            batch.append(entry)
            count += 1
            if batch.count >= 10_000 {
                try index.record(batch)
                batch = []
            }
        }
        for url in spool.receiptFiles() {
            guard let json = try? JSONParser.parse(spool.read(url)), let entry = HistoryEntry(receipt: json, at: spool.relativePath(of: url)) else {
                continue
            }
            try add(entry)
        }
        let archives = spool.directory.appendingPathComponent(".archive", isDirectory: true)
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: archives.path)) ?? []).sorted() where name.hasSuffix(".tar.gz") {
            var entries: [HistoryEntry] = []
            DayArchive.forEachEntry(in: archives.appendingPathComponent(name, isDirectory: false)) { path, bytes in
                if path.hasSuffix(".receipt.json"), let json = try? JSONParser.parse(bytes),
                    let entry = HistoryEntry(receipt: json, at: ".archive/\(name)#\(path)")
                {
                    entries.append(entry)
                }
                return true
            }
            for entry in entries { try add(entry) }
        }
        // Nothing is forgotten here: the retention sweeper decides that, keeping rows a journal record
        // may still name.
        try index.record(batch)
        return count
    }
}
