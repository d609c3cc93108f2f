import ApplierAPI
import Foundation
import Testing

@testable import Host

@Suite struct IntakeJournalTests {
    func patch(_ sequence: UInt64, _ id: String) -> PendingPatch {
        PendingPatch(
            sequence: sequence,
            source: .http,
            name: "\(id).json",
            id: id,
            contentHash: "h-\(id)",
            receivedAt: Date(timeIntervalSince1970: 1_000)
        )
    }

    func makeJournal() throws -> (IntakeJournal, URL) {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory() + "ghost-journal-\(UUID().uuidString)")
        return (IntakeJournal(folder: folder), folder)
    }

    @Test func concurrentAppendsAreDurableAndReadBackExactly() async throws {
        let (journal, folder) = try makeJournal()
        _ = try journal.recover()
        try journal.start()
        let locations = try await withThrowingTaskGroup(of: (String, JournalLocation).self) { group in
            for index in 0..<50 {
                group.addTask {
                    ("p\(index)", try await journal.append(self.patch(UInt64(index), "p\(index)"), body: Array("body \(index) ✅\n".utf8)))
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for (id, location) in locations {
            #expect(try journal.body(at: location) == Array("body \(id.dropFirst()) ✅\n".utf8))
        }
        let records = try IntakeJournal.records(in: folder)
        #expect(records.count == 50)
        #expect(Set(records.map(\.patch.id)) == Set(locations.keys))
        #expect(records.first?.patch.receivedAt == Date(timeIntervalSince1970: 1_000))
    }

    @Test func aTornTailIsCutOffAndEverythingBeforeItKept() async throws {
        let (journal, folder) = try makeJournal()
        _ = try journal.recover()
        try journal.start()
        _ = try await journal.append(patch(1, "a"), body: Array("first".utf8))
        _ = try await journal.append(patch(2, "b"), body: Array("second".utf8))
        let file = URL(fileURLWithPath: journal.path(journal.generation))
        let whole = try Data(contentsOf: file)
        // A crash in the middle of the second record's body.
        try whole.prefix(whole.count - 4).write(to: file)
        let recovered = try IntakeJournal(folder: folder).recover()
        #expect(recovered.map(\.patch.id) == ["a"])
        let (first, _) = JournalRecord.encode(patch(1, "a"), body: Array("first".utf8))
        #expect(try Data(contentsOf: file).count == first.count)
    }

    @Test func aRecordWhoseBodyDoesNotMatchItsHashEndsTheFile() {
        var (bytes, _) = JournalRecord.encode(patch(1, "a"), body: Array("good".utf8))
        let second = JournalRecord.encode(patch(2, "b"), body: Array("evil".utf8))
        bytes += second.bytes
        bytes[bytes.count - 2] ^= 0x01
        let decoded = JournalRecord.decode(bytes, generation: 1)
        #expect(decoded.records.map(\.patch.id) == ["a"])
        #expect(decoded.validLength == bytes.count - second.bytes.count)
    }

    @Test func aRestartStartsANewFileAndNeverAppendsToAnOldOne() async throws {
        let (journal, folder) = try makeJournal()
        _ = try journal.recover()
        try journal.start()
        _ = try await journal.append(patch(1, "a"), body: Array("x".utf8))
        let again = IntakeJournal(folder: folder)
        _ = try again.recover()
        try again.start()
        #expect(again.generation == journal.generation + 1)
        #expect(again.generations().count == 2)
    }
}
