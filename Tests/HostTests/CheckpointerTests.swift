import ApplierAPI
import Foundation
import Testing

@testable import Host

/// What a checkpoint makes durable, and what it keeps when the sync or the history write fails.
@Suite struct CheckpointerTests {
    func row(_ id: String, kind: HistoryEntry.Kind = .patch, sequence: UInt64?) -> HistoryEntry {
        HistoryEntry(
            id: id,
            attempt: 1,
            kind: kind,
            contentHash: "h",
            status: kind == .refused ? .failed : .applied,
            reason: nil,
            role: "ui_patch",
            source: .http,
            receivedAt: Date(timeIntervalSince1970: 0),
            finishedAt: Date(timeIntervalSince1970: 1),
            files: [],
            receipt: ".completed/\(id).receipt.json",
            sequence: sequence
        )
    }

    @Test func nothingFiledMeansNoRound() {
        var checkpoints = Checkpointer()
        #expect(checkpoints.begin() == nil)
        #expect(checkpoints.intentLogIsSettled)
    }

    @Test func aRoundTakesEverythingFiledAndSettlesTheIntentsWhenCompleted() {
        var checkpoints = Checkpointer()
        checkpoints.finished(sequence: 1, filedIn: 7, row: row("p1", sequence: 1))
        checkpoints.finished(sequence: 2, filedIn: 8, row: row("p2", sequence: 2))
        checkpoints.record(row("inbox-dup", kind: .duplicate, sequence: nil))
        #expect(!checkpoints.intentLogIsSettled)
        let round = checkpoints.begin()
        #expect(round?.generations == [7, 8])
        #expect(round?.patchIDs == ["p1", "p2"])
        #expect(round?.rows.count == 3)
        // Taken: a second round has nothing until more is filed.
        #expect(checkpoints.begin() == nil)
        checkpoints.completed(round!)
        #expect(checkpoints.intentLogIsSettled)
    }

    /// A checkpoint can complete while a patch is being applied (a listing, a cancel or a duplicate asks for
    /// one): the intent log keeps that patch's records, which a crash mid-apply needs.
    @Test func aPatchBeingAppliedKeepsTheIntentLogThroughACheckpoint() {
        var checkpoints = Checkpointer()
        checkpoints.finished(sequence: 1, filedIn: 1, row: row("p1", sequence: 1))
        checkpoints.holdIntents(of: 2)
        let round = checkpoints.begin()!
        checkpoints.completed(round)
        #expect(!checkpoints.intentLogIsSettled)
        checkpoints.finished(sequence: 2, filedIn: 1, row: row("p2", sequence: 2))
        checkpoints.completed(checkpoints.begin()!)
        #expect(checkpoints.intentLogIsSettled)
    }

    /// After a write-back error none of the round's patches may reach the history (a later sync would report
    /// success over the lost writes); the inbox files, synced when filed, keep their rows.
    @Test func aFailedSyncKeepsOnlyTheInboxRowsAndTheIntents() {
        var checkpoints = Checkpointer()
        checkpoints.finished(sequence: 1, filedIn: 1, row: row("p1", sequence: 1))
        checkpoints.record(row("bad", kind: .refused, sequence: nil))
        let round = checkpoints.begin()!
        checkpoints.syncFailed(round)
        #expect(!checkpoints.intentLogIsSettled)
        let next = checkpoints.begin()
        #expect(next?.rows.map(\.id) == ["bad"])
        #expect(next?.generations == [])
    }

    /// The receipts are durable but the index write failed: the whole round comes back, before what was
    /// filed meanwhile.
    @Test func aFailedHistoryWriteIsTriedAgainInOrder() {
        var checkpoints = Checkpointer()
        checkpoints.finished(sequence: 1, filedIn: 1, row: row("p1", sequence: 1))
        let round = checkpoints.begin()!
        checkpoints.finished(sequence: 2, filedIn: 2, row: row("p2", sequence: 2))
        checkpoints.recordFailed(round)
        let again = checkpoints.begin()
        #expect(again?.patchIDs == ["p1", "p2"])
        #expect(again?.generations == [1, 2])
        checkpoints.completed(again!)
        #expect(checkpoints.intentLogIsSettled)
    }

    /// A patch whose receipt could not be filed keeps its intents (and journal record) for the next start.
    @Test func anUnfiledPatchKeepsItsIntents() {
        var checkpoints = Checkpointer()
        checkpoints.finished(sequence: 3, filedIn: nil, row: nil)
        #expect(checkpoints.begin() == nil)
        #expect(!checkpoints.intentLogIsSettled)
        #expect(checkpoints.filedCount == 0)
    }

    @Test func aCheckpointIsDueWhenTheQueueEmptiesManyWaitOrSomeoneWaits() {
        var checkpoints = Checkpointer()
        #expect(checkpoints.isDue(depth: 0, receiptsHeld: false))
        #expect(!checkpoints.isDue(depth: 5, receiptsHeld: false))
        #expect(checkpoints.isDue(depth: 5, receiptsHeld: true))
        for sequence in 1...UInt64(Checkpointer.maxUnsynced) { checkpoints.finished(sequence: sequence, filedIn: 1, row: nil) }
        #expect(checkpoints.isDue(depth: 5, receiptsHeld: false))
    }
}
