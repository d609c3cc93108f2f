import ApplierAPI
import Foundation
import GhostTesting
import Logging
import Testing

@testable import Host

@Suite struct RetentionSweeperTests {
    /// A queue folder with `count` finished patches (`id0`, `id1`, ...) filed `daysAgo(n)` days ago, in the
    /// folders and the history, as the executor leaves them.
    func spool(_ count: Int, policy: RetentionPolicy, failedEvery: Int = 0, daysAgo: (Int) -> Double) throws -> (EmbeddedQueueStore, String) {
        let folder = try makeTempFolder("retention")
        let spool = Spool(directory: URL(fileURLWithPath: folder + "/patches"))
        try spool.prepare()
        let store = try EmbeddedQueueStore(spool: spool, retention: policy)
        var entries: [HistoryEntry] = []
        for n in 0..<count {
            let failed = failedEvery > 0 && n % failedEvery == failedEvery - 1
            let subfolder = failed ? ".failed" : ".completed"
            let finished = Date().addingTimeInterval(-daysAgo(n) * 86_400)
            try writeFile("\(folder)/patches/\(subfolder)/id\(n).json", "{\"id\":\"id\(n)\"}\n")
            try writeFile(
                "\(folder)/patches/\(subfolder)/id\(n).receipt.json",
                "{\"id\":\"id\(n)\",\"status\":\"\(failed ? "failed" : "applied")\"}\n"
            )
            entries.append(historyEntry("id\(n)", status: failed ? .failed : .applied, folder: subfolder, finished: finished))
        }
        try store.record(entries)
        return (store, folder)
    }

    @Test func archivesPatchesPastTheirAgeAndTheirReceiptsStayReadable() throws {
        let policy = RetentionPolicy(completed: .age(.seconds(5 * 86_400)), failed: .age(.seconds(20 * 86_400)))
        let (store, folder) = try spool(10, policy: policy, failedEvery: 3) { Double(10 - $0) }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let report = try RetentionSweeper(store: store, logger: Logger(label: "test")).sweep(now: Date())
        // Finished 10..5 days ago (id0...id5) minus the failed ones (id2, id5), which are kept 20 days.
        #expect(report == RetentionSweeper.Report(archived: 4, deleted: 0, forgotten: 0))
        #expect(
            listing(folder + "/patches/.completed").filter { $0.hasSuffix(".receipt.json") } == [
                "id6.receipt.json", "id7.receipt.json", "id9.receipt.json",
            ]
        )
        #expect(listing(folder + "/patches/.failed").count == 6)
        for id in ["id0", "id1", "id3", "id4"] {
            #expect(!FileManager.default.fileExists(atPath: "\(folder)/patches/.completed/\(id).json"))
            let entry = try #require(try store.finished(id: id, now: Date()))
            #expect(entry.receipt?.hasPrefix(".archive/") == true)
            #expect(store.receipt(of: entry)?.status == .applied)
            #expect(store.receipt(of: entry)?.id == id)
        }
        // A second sweep has nothing left to do.
        #expect(try RetentionSweeper(store: store, logger: Logger(label: "test")).sweep(now: Date()) == RetentionSweeper.Report())
    }

    @Test func deleteKeepsOnlyTheNewestCountAndTheHistoryStillAnswers() throws {
        let policy = RetentionPolicy(completed: .count(3), action: .delete)
        let (store, folder) = try spool(8, policy: policy) { Double(8 - $0) }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let report = try RetentionSweeper(store: store, logger: Logger(label: "test")).sweep(now: Date())
        #expect(report.deleted == 5)
        #expect(
            listing(folder + "/patches/.completed") == [
                "id5.json", "id5.receipt.json", "id6.json", "id6.receipt.json", "id7.json", "id7.receipt.json",
            ]
        )
        #expect(!FileManager.default.fileExists(atPath: folder + "/patches/.archive"))
        let gone = try #require(try store.finished(id: "id0", now: Date()))
        #expect(gone.receipt == nil)
        #expect(store.receipt(of: gone)?.status == .applied)
        #expect(store.receipt(of: gone)?.message?.contains("retention") == true)
    }

    /// An applied patch's before-images go with its receipt, whether it is archived or deleted; those of the
    /// patches kept stay.
    @Test(arguments: [RetentionPolicy.Action.archive, .delete])
    func beforeImagesGoWithTheirReceipt(action: RetentionPolicy.Action) throws {
        let policy = RetentionPolicy(completed: .count(2), action: action)
        let (store, folder) = try spool(4, policy: policy) { Double(4 - $0) }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let images = BeforeImageStore(internalFolder: store.spool.internalFolder)
        let kept = BeforeImages.capture([("a", FileContent(bytes: [1]), FileContent(bytes: [2]), nil)], limit: 1 << 20)
        for n in 0..<4 { try images.write(kept, id: "id\(n)", attempt: 1) }
        _ = try RetentionSweeper(store: store, logger: Logger(label: "test")).sweep(now: Date())
        #expect((0..<4).map { images.read(id: "id\($0)", attempt: 1) != nil } == [false, false, true, true])
    }

    /// Killed after removing the files and before the history was told: the next sweep finds each receipt
    /// in its day's archives (id and attempt checked) and points the row there.
    @Test func aSweepAfterAKillBetweenTheFilesAndTheHistoryFindsTheArchive() throws {
        let policy = RetentionPolicy(completed: .age(.seconds(86_400)))
        let (store, folder) = try spool(3, policy: policy) { _ in 3 }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let day = DayArchive.name(for: Date().addingTimeInterval(-3 * 86_400))
        let archives = URL(fileURLWithPath: "\(folder)/patches/.archive")
        try FileManager.default.createDirectory(at: archives, withIntermediateDirectories: true)
        // An earlier archive of the same day holding another patch under the same name.
        _ = try DayArchive.write(
            [("completed/id1.receipt.json", Array(#"{"id":"other","status":"applied","received_at":"2026-11-01T00:00:00Z"}"#.utf8))],
            named: day,
            in: archives
        )
        var members: [(path: String, bytes: [UInt8])] = []
        for n in 0..<3 {
            for name in ["id\(n).json", "id\(n).receipt.json"] {
                let path = "\(folder)/patches/.completed/\(name)"
                members.append(("completed/\(name)", Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
                unlink(path)
            }
        }
        let written = try DayArchive.write(members, named: day, in: archives)
        let report = try RetentionSweeper(store: store, logger: Logger(label: "test")).sweep(now: Date())
        #expect(report.archived == 3)
        let entry = try #require(try store.finished(id: "id1", now: Date()))
        #expect(entry.receipt == ".archive/\(written)#completed/id1.receipt.json")
        #expect(store.receipt(of: entry)?.id == "id1")
        #expect(try FileManager.default.contentsOfDirectory(atPath: archives.path).count == 2)
    }

    /// A file that cannot be read is neither archived nor removed: the sweep fails and tries again later.
    @Test func aFileThatCannotBeReadStays() throws {
        let policy = RetentionPolicy(completed: .age(.seconds(86_400)))
        let (store, folder) = try spool(1, policy: policy) { _ in 3 }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let receipt = "\(folder)/patches/.completed/id0.receipt.json"
        unlink(receipt)
        try FileManager.default.createDirectory(atPath: receipt, withIntermediateDirectories: false)
        #expect(throws: ApplyError.self) { try RetentionSweeper(store: store, logger: Logger(label: "test")).sweep(now: Date()) }
        #expect(FileManager.default.fileExists(atPath: "\(folder)/patches/.completed/id0.json"))
        #expect(try store.finished(id: "id0", now: Date())?.receipt == ".completed/id0.receipt.json")
    }

    @Test func sweepsAsOftenAsTheShortestAgeNeeds() throws {
        let folder = try makeTempFolder("retention")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spool = Spool(directory: URL(fileURLWithPath: folder + "/patches"))
        func interval(_ policy: RetentionPolicy) throws -> Duration {
            let store = try EmbeddedQueueStore(spool: spool, retention: policy)
            return RetentionSweeper(store: store, logger: Logger(label: "test")).interval
        }
        #expect(try interval(.default) == .seconds(3_600))
        #expect(try interval(RetentionPolicy(completed: .age(.seconds(2)))) == .seconds(1))
        #expect(try interval(RetentionPolicy(failed: .age(.seconds(600)))) == .seconds(60))
    }
}
