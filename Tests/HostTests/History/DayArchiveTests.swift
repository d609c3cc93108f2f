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

    /// Appended sweeps read back as one archive, by ghost and by tar, long names included.
    @Test func appendedMembersReadBackWithGhostAndTar() throws {
        let folder = try makeTempFolder("archive")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let url = URL(fileURLWithPath: folder + "/2026-11-01.tar.gz")
        let long = "completed/" + String(repeating: "x", count: 130) + ".receipt.json"
        try DayArchive.append([("completed/a.json", Array("{\"id\":\"a\"}\n".utf8)), (long, Array("long".utf8))], to: url)
        try DayArchive.append([("failed/b.json", []), ("failed/c.json", Array(repeating: 7, count: 1_000))], to: url)
        #expect(DayArchive.read("completed/a.json", from: url) == Array("{\"id\":\"a\"}\n".utf8))
        #expect(DayArchive.read(long, from: url) == Array("long".utf8))
        #expect(DayArchive.read("failed/b.json", from: url) == [])
        #expect(DayArchive.read("failed/c.json", from: url) == Array(repeating: 7, count: 1_000))
        #expect(DayArchive.read("missing.json", from: url) == nil)

        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-tzf", url.path]
        let output = Pipe()
        tar.standardOutput = output
        try tar.run()
        tar.waitUntilExit()
        let listed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(tar.terminationStatus == 0)
        #expect(listed == ["completed/a.json", long, "failed/b.json", "failed/c.json"])
    }

    /// A member cut short by a crash ends the readable part; what came before is intact.
    @Test func aTornLastMemberLeavesTheEarlierOnesReadable() throws {
        let folder = try makeTempFolder("archive")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let url = URL(fileURLWithPath: folder + "/day.tar.gz")
        try DayArchive.append([("completed/a.json", Array("a".utf8))], to: url)
        let intact = try Data(contentsOf: url).count
        try DayArchive.append([("completed/b.json", Array(repeating: 1, count: 50_000))], to: url)
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(intact + 40))
        try handle.close()
        #expect(DayArchive.read("completed/a.json", from: url) == Array("a".utf8))
        #expect(DayArchive.read("completed/b.json", from: url) == nil)
    }
}
