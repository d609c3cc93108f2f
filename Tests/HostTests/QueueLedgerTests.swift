import ApplierAPI
import Foundation
import Testing

@testable import Host

/// The queue's bookkeeping without I/O: each event and what it returns, as the queue's actor sees them.
@Suite struct QueueLedgerTests {
    func reserve(_ ledger: inout QueueLedger, _ id: String, hash: String = "h") -> PendingPatch {
        ledger.reserve(id: id, hash: hash, source: .http, name: "\(id).json", receivedAt: Date(timeIntervalSince1970: 0))
    }

    /// A ledger whose journal appends to generation 1, as after a start.
    func started() -> QueueLedger {
        var ledger = QueueLedger()
        _ = ledger.startIntake(generation: 1, onDisk: [])
        return ledger
    }

    func location(_ generation: UInt64, _ offset: Int = 0) -> JournalLocation {
        JournalLocation(generation: generation, offset: offset, length: 10)
    }

    @Test func aDeliveryGoesReservingQueuedApplyingFinishedThenToTheStore() {
        var ledger = started()
        #expect(ledger.known("p1", hash: "h") == .unknown)
        let pending = reserve(&ledger, "p1")
        #expect(pending.sequence == 1)
        #expect(ledger.known("p1", hash: "h") == .reserving)
        #expect(ledger.known("p1", hash: "other") == .conflict)
        #expect(ledger.publish(pending, at: location(1)) == [])
        ledger.commit(pending)
        #expect(ledger.state(of: "p1") == .queued(pending))
        #expect(ledger.known("p1", hash: "h") == .unfinished(generation: 1))
        #expect(ledger.depth == 1)

        let taken = ledger.takeNext { _ in false }
        #expect(taken?.0 == pending)
        #expect(ledger.state(of: "p1") == .applying(pending))
        #expect(ledger.depth == 0)
        let receipt = URL(fileURLWithPath: "/q/.completed/p1.receipt.json")
        ledger.finish(pending, receipt: receipt, status: .applied)
        #expect(ledger.known("p1", hash: "h") == .finished(receipt: receipt))
        // The journal's current generation is never retired by a checkpoint.
        #expect(ledger.checkpointed([1]) == [])
        #expect(ledger.currentGenerationIsEmpty)
        ledger.recorded(["p1"])
        #expect(ledger.known("p1", hash: "h") == .unknown)
    }

    /// An idle queue's executor takes a patch before its record is durable: it stays reserving (a duplicate
    /// waits), and its commit afterwards makes it applying, or leaves it finished.
    @Test func aPatchTakenBeforeItsRecordIsDurableKeepsItsReservation() {
        var ledger = started()
        let pending = reserve(&ledger, "early")
        _ = ledger.publish(pending, at: location(1))
        _ = ledger.takeNext { $0 == pending.sequence }
        #expect(ledger.state(of: "early") == .reserving)
        ledger.commit(pending)
        #expect(ledger.state(of: "early") == .applying(pending))

        let second = reserve(&ledger, "fast")
        _ = ledger.publish(second, at: location(1, 10))
        _ = ledger.takeNext { $0 == second.sequence }
        let receipt = URL(fileURLWithPath: "/q/.completed/fast.receipt.json")
        ledger.finish(second, receipt: receipt, status: .unchanged)
        ledger.commit(second)
        #expect(ledger.state(of: "fast") == .finished(receipt: receipt, status: .unchanged))
    }

    @Test func anAbandonedDeliveryFreesItsIDAndItsPlace() {
        var ledger = started()
        let first = reserve(&ledger, "a")
        let second = reserve(&ledger, "b")
        _ = ledger.publish(first, at: location(1))
        ledger.abandon(first, published: true)
        ledger.abandon(second, published: false)
        #expect(ledger.known("a", hash: "h") == .unknown)
        #expect(ledger.known("b", hash: "h") == .unknown)
        #expect(ledger.depth == 0)
        #expect(ledger.takeNext { _ in false } == nil)
        #expect(ledger.currentGenerationIsEmpty)
        // Sequence numbers are never reused.
        #expect(reserve(&ledger, "c").sequence == 3)
    }

    /// The executor takes patches in reservation order, and only once they are ready.
    @Test func theHeadWaitsForItsRecordEvenWhenLaterOnesAreReady() {
        var ledger = started()
        let first = reserve(&ledger, "first")
        let second = reserve(&ledger, "second")
        _ = ledger.publish(second, at: location(1))
        #expect(ledger.takeNext { _ in false } == nil)
        #expect(!ledger.headIs(second.sequence))
        _ = ledger.publish(first, at: location(1, 20))
        #expect(ledger.headIs(first.sequence))
        #expect(ledger.readyAfterHead(limit: 10) { _ in false }.map(\.0) == [first, second])
        #expect(ledger.readyAfterHead(limit: 10) { $0 == second.sequence }.map(\.0) == [first])
        #expect(ledger.takeNext { _ in false }?.0 == first)
        #expect(ledger.takeNext { _ in false }?.0 == second)
    }

    /// A generation is retired once every patch in it is checkpointed and the journal has moved on.
    @Test func generationsAreRetiredWhenTheJournalMovesOnAndTheirPatchesAreDone() {
        var ledger = QueueLedger()
        #expect(ledger.startIntake(generation: 1, onDisk: [1]) == [])
        let one = reserve(&ledger, "one")
        _ = ledger.publish(one, at: location(1))
        let two = reserve(&ledger, "two")
        // The journal rotated; generation 1 still has "one" in it.
        #expect(ledger.publish(two, at: location(2)) == [])
        #expect(ledger.currentGeneration == 2)
        _ = ledger.takeNext { _ in false }
        _ = ledger.takeNext { _ in false }
        #expect(ledger.checkpointed([1, 2]) == [1])
        #expect(ledger.currentGenerationIsEmpty)
        let three = reserve(&ledger, "three")
        // Rotating again: generation 2 is empty now and goes.
        #expect(ledger.publish(three, at: location(3)) == [2])
    }

    @Test func aStartRestoresJournaledPatchesOnceAndNeverReusesASequence() {
        var ledger = QueueLedger()
        let patch = PendingPatch(sequence: 7, source: .inbox, name: "x.json", id: "x", contentHash: "h", receivedAt: Date())
        let first = ledger.restore(JournalRecord(patch: patch, location: location(4)))
        let again = ledger.restore(JournalRecord(patch: patch, location: location(5)))
        #expect(first)
        #expect(!again)
        #expect(ledger.isQueued(7, id: "x"))
        #expect(!ledger.isQueued(7, id: "y"))
        #expect(ledger.unfinished == [patch])
        ledger.noteSequence(20)
        #expect(reserve(&ledger, "next").sequence == 21)
        #expect(ledger.startIntake(generation: 6, onDisk: [3, 4, 5, 6]) == [3, 5])
    }

    /// Queued patches, committed and ready, at generation 1.
    func queued(_ ledger: inout QueueLedger, _ ids: [String]) -> [PendingPatch] {
        ids.enumerated().map { index, id in
            let pending = reserve(&ledger, id)
            _ = ledger.publish(pending, at: location(1, index * 10))
            ledger.commit(pending)
            return pending
        }
    }

    @Test func aPausedLedgerGivesTheExecutorNothingUntilResumed() {
        var ledger = started()
        let patches = queued(&ledger, ["p1", "p2"])
        ledger.paused = true
        #expect(ledger.takeNext { _ in false } == nil)
        #expect(ledger.depth == 2)
        ledger.paused = false
        #expect(ledger.takeNext { _ in false }?.0 == patches[0])
    }

    /// Cancel takes a queued patch out of the order (the executor never sees it) and holds it until it is
    /// filed; it refuses a patch that is applying, reserving or unknown.
    @Test func cancelTakesOnlyAQueuedPatchOutOfTheOrder() {
        var ledger = started()
        let patches = queued(&ledger, ["p1", "p2", "p3"])
        let taken = ledger.takeNext { _ in false }
        #expect(taken?.0 == patches[0])
        #expect(ledger.cancel("p1") == nil)
        #expect(ledger.cancel("nobody") == nil)
        let cancelled = ledger.cancel("p2")
        #expect(cancelled?.0 == patches[1])
        #expect(cancelled?.1 == location(1, 10))
        #expect(ledger.state(of: "p2") == .applying(patches[1]))
        #expect(ledger.depth == 1)
        #expect(ledger.cancel("p2") == nil)
        #expect(ledger.takeNext { _ in false }?.0 == patches[2])
        let reserving = reserve(&ledger, "p4")
        #expect(ledger.cancel(reserving.id) == nil)
    }
}
