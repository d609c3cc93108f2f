import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import Host

/// A finished patch as the executor files it.
func historyEntry(
    _ id: String,
    hash: String = "h",
    status: Receipt.Status = .applied,
    folder: String = ".completed",
    finished: Date = Date(),
    kind: HistoryEntry.Kind = .patch
) -> HistoryEntry {
    HistoryEntry(
        id: id,
        attempt: 1,
        kind: kind,
        contentHash: hash,
        status: status,
        reason: status == .failed ? "no_match" : nil,
        role: "ui_patch",
        source: .http,
        receivedAt: finished,
        finishedAt: finished,
        files: ["src/App.tsx"],
        receipt: "\(folder)/\(id).receipt.json",
        sequence: 1
    )
}

@Suite struct HistoryIndexTests {
    func index() throws -> (HistoryIndex, String) {
        let folder = try makeTempFolder("history")
        return (try HistoryIndex(url: URL(fileURLWithPath: folder + "/history.sqlite")), folder)
    }

    /// A page of the real index: newest row first, each filter in SQL, and the row number as the cursor.
    @Test func listFiltersAndPagesByRow() throws {
        let (index, folder) = try index()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        try index.record([
            historyEntry("a1", finished: start),
            historyEntry("b2", status: .failed, folder: ".failed", finished: start.addingTimeInterval(10)),
            historyEntry("a3", finished: start.addingTimeInterval(20)),
            historyEntry("a4", status: .failed, folder: ".failed", finished: start.addingTimeInterval(30)),
        ])
        #expect(try index.list(HistoryFilter()).map(\.entry.id) == ["a4", "a3", "b2", "a1"])
        let first = try index.list(HistoryFilter(limit: 2))
        #expect(first.map(\.entry.id) == ["a4", "a3"])
        #expect(try index.list(HistoryFilter(beforeRow: first.last?.row, limit: 2)).map(\.entry.id) == ["b2", "a1"])
        #expect(try index.list(HistoryFilter(status: .failed)).map(\.entry.id) == ["a4", "b2"])
        #expect(try index.list(HistoryFilter(reason: "no_match", idContains: "a")).map(\.entry.id) == ["a4"])
        #expect(try index.list(HistoryFilter(role: "other")).isEmpty)
        #expect(try index.list(HistoryFilter(since: start.addingTimeInterval(15))).map(\.entry.id) == ["a4", "a3"])
    }

    @Test func remembersEveryFieldOfAFinishedPatchAcrossAReopen() throws {
        let (index, folder) = try index()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let entry = historyEntry("p1", hash: "abc", status: .failed, folder: ".failed", finished: Date(timeIntervalSince1970: 1_700_000_000.25))
        try index.record([entry])
        let reopened = try HistoryIndex(url: index.url)
        #expect(try reopened.entry(id: "p1") == entry)
        #expect(try reopened.entry(id: "p2") == nil)
        #expect(try reopened.counts() == ["failed": 1])
    }

    /// Recording the same patches again (after a crash between the index and the journal) changes nothing.
    @Test func recordingAPatchTwiceKeepsTheFirstRow() throws {
        let (index, folder) = try index()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try index.record([historyEntry("p1", hash: "first")])
        try index.record([historyEntry("p1", hash: "second"), historyEntry("p2")])
        #expect(try index.entry(id: "p1")?.contentHash == "first")
        #expect(try index.counts() == ["applied": 2])
    }

    /// Duplicate and refused receipts are listed, but only accepted patches take part in deduplication.
    @Test func onlyAcceptedPatchesAnswerForTheirID() throws {
        let (index, folder) = try index()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try index.record([
            historyEntry("r1", status: .failed, folder: ".failed", kind: .refused), historyEntry("d1", status: .duplicate, kind: .duplicate),
        ])
        #expect(try index.entry(id: "r1") == nil)
        #expect(try index.entry(id: "d1") == nil)
        #expect(try index.counts() == ["failed": 1, "duplicate": 1])
    }

    @Test func filedFindsTheOldestPastAnAgeOrBeyondTheNewestCount() throws {
        let (index, folder) = try index()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let now = Date()
        try index.record((0..<10).map { historyEntry("c\($0)", finished: now.addingTimeInterval(Double($0 - 10) * 86_400)) })
        try index.record([historyEntry("f1", status: .failed, folder: ".failed", finished: now.addingTimeInterval(-20 * 86_400))])
        let old = try index.filed(in: ".completed", finishedBefore: now.addingTimeInterval(-5.5 * 86_400), keepNewest: nil, limit: 100)
        #expect(old.map(\.entry.id) == ["c0", "c1", "c2", "c3", "c4"])
        let beyond = try index.filed(in: ".completed", finishedBefore: nil, keepNewest: 7, limit: 100)
        #expect(beyond.map(\.entry.id) == ["c0", "c1", "c2"])
        #expect(try index.filed(in: ".completed", finishedBefore: nil, keepNewest: 20, limit: 100).isEmpty)
        #expect(try index.filed(in: ".failed", finishedBefore: now, keepNewest: nil, limit: 100).map(\.entry.id) == ["f1"])
    }

    /// Past the dedup window a row goes only once its files are gone; until then retention still needs it.
    @Test func forgettingKeepsRowsWhoseFilesAreStillInTheFolders() throws {
        let (index, folder) = try index()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let old = Date().addingTimeInterval(-40 * 86_400)
        try index.record([historyEntry("filed", finished: old), historyEntry("archived", finished: old), historyEntry("recent")])
        let archived = try #require(
            try index.filed(in: ".completed", finishedBefore: Date(), keepNewest: nil, limit: 10).first { $0.entry.id == "archived" }
        )
        try index.moveReceipts([(archived.row, ".archive/x.tar.gz#completed/archived.receipt.json")])
        #expect(try index.forget(finishedBefore: Date().addingTimeInterval(-30 * 86_400)) == 1)
        #expect(try index.entry(id: "archived") == nil)
        #expect(try index.entry(id: "filed") != nil)
        #expect(try index.entry(id: "recent") != nil)
    }

    @Test func theStoreForgetsIDsPastTheDedupWindow() throws {
        let folder = try makeTempFolder("store")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spool = Spool(directory: URL(fileURLWithPath: folder + "/patches"))
        let store = try EmbeddedQueueStore(spool: spool, retention: RetentionPolicy(dedupWindow: .seconds(3_600)))
        try store.record([historyEntry("old", finished: Date().addingTimeInterval(-7_200)), historyEntry("new")])
        #expect(try store.finished(id: "old", now: Date()) == nil)
        #expect(try store.finished(id: "new", now: Date())?.id == "new")
    }

    /// One host per spool: a second store on the same folder is refused while the first is open.
    @Test func aSecondProcessOnTheSameSpoolIsRefused() throws {
        let folder = try makeTempFolder("store")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spool = Spool(directory: URL(fileURLWithPath: folder + "/patches"))
        let first = try EmbeddedQueueStore(spool: spool, retention: .default)
        #expect(throws: ApplyError.self) { try SpoolLock(internalFolder: spool.internalFolder, purpose: "test") }
        withExtendedLifetime(first) {}
    }
}
