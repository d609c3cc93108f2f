import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import Host

@Suite struct DayArchiveTests {
    @Test func namesTheUTCDay() {
        #expect(DayArchive.name(for: Date(timeIntervalSince1970: 1_764_633_599)) == "2025-12-01.tar.gz")
        #expect(DayArchive.name(for: Date(timeIntervalSince1970: 1_764_633_600)) == "2025-12-02.tar.gz")
    }

    /// Two sweeps of one day write two archives, each read back by ghost and by tar, long names included.
    @Test func eachSweepWritesAnArchiveOfItsOwnReadByGhostAndTar() throws {
        let folder = URL(fileURLWithPath: try makeTempFolder("archive"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let long = "completed/" + String(repeating: "x", count: 130) + ".receipt.json"
        let first = try DayArchive.write(
            [("completed/a.json", Array("{\"id\":\"a\"}\n".utf8)), (long, Array("long".utf8))],
            named: "2026-11-01.tar.gz",
            in: folder
        )
        let second = try DayArchive.write(
            [("failed/b.json", []), ("failed/c.json", Array(repeating: 7, count: 1_000))],
            named: "2026-11-01.tar.gz",
            in: folder
        )
        #expect(first == "2026-11-01.tar.gz")
        #expect(second == "2026-11-01-2.tar.gz")
        #expect(DayArchive.variants(of: "2026-11-01.tar.gz", in: folder).map(\.lastPathComponent) == [first, second])
        let firstURL = folder.appendingPathComponent(first)
        let secondURL = folder.appendingPathComponent(second)
        #expect(DayArchive.read("completed/a.json", from: firstURL) == Array("{\"id\":\"a\"}\n".utf8))
        #expect(DayArchive.read(long, from: firstURL) == Array("long".utf8))
        #expect(DayArchive.read("failed/b.json", from: secondURL) == [])
        #expect(DayArchive.read("failed/c.json", from: secondURL) == Array(repeating: 7, count: 1_000))
        #expect(DayArchive.read("failed/c.json", from: firstURL) == nil)
        #expect(try tarListing(firstURL) == ["completed/a.json", long])
        #expect(try tarListing(secondURL) == ["failed/b.json", "failed/c.json"])
    }

    /// A sweep cut short leaves only a temp file, never a torn archive under a day's name; the next sweep
    /// removes it.
    @Test func aCutSweepLeavesOnlyATempFileWhichIsRemoved() throws {
        let folder = URL(fileURLWithPath: try makeTempFolder("archive"))
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data([0x1f, 0x8b, 0x08, 0x00]).write(to: folder.appendingPathComponent(".tmp-1-2"))
        _ = try DayArchive.write([("completed/a.json", Array("a".utf8))], named: "2026-11-02.tar.gz", in: folder)
        DayArchive.removeTemporaries(in: folder)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["2026-11-02.tar.gz"])
    }

    func tarListing(_ url: URL) throws -> [String] {
        let tar = try ChildProcess.run("tar", ["-tzf", url.path])
        #expect(tar.status == 0)
        return String(decoding: tar.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
