import Foundation
import GhostTesting
import Testing

@testable import Host

/// The decisions about poison patches at start, from the saved state and what recovery found.
@Suite struct PoisonPolicyTests {
    typealias Key = PoisonPolicy.PatchKey

    let a = Key(sequence: 1, id: "a")
    let p = Key(sequence: 2, id: "p")
    let b = Key(sequence: 3, id: "b")

    func evidence(
        running: Bool,
        deaths: [Key: Int] = [:],
        suspects: [Key] = [],
        marker: Key? = nil,
        interrupted: [Key] = [],
        unfinished: [Key],
        retries: Int = 2
    ) -> PoisonPolicy.Evidence {
        PoisonPolicy.Evidence(
            previous: PoisonPolicy.CrashState(running: running, deaths: deaths, suspects: suspects),
            marker: marker,
            interruptedAlone: interrupted,
            unfinished: unfinished,
            crashRetries: retries,
            maxBatch: 64
        )
    }

    @Test func aCleanShutdownCountsNothingAndKeepsBatching() {
        let plan = PoisonPolicy.decide(evidence(running: false, unfinished: [p]))
        #expect(plan.died.isEmpty)
        #expect(plan.crashed.isEmpty)
        #expect(plan.suspects.isEmpty)
        #expect(plan.state == PoisonPolicy.CrashState(running: true))
    }

    @Test func aDeathWithOnlyOnePatchUnfinishedCountsAgainstItAndAppliesItAlone() {
        let plan = PoisonPolicy.decide(evidence(running: true, unfinished: [p]))
        #expect(plan.died == [p])
        #expect(plan.state.deaths == [p: 1])
        #expect(plan.suspects == [p])
        #expect(plan.crashed.isEmpty)
    }

    @Test func aDeathDuringABatchCountsNothingButAppliesItsPatchesOneByOne() {
        let plan = PoisonPolicy.decide(evidence(running: true, unfinished: [a, p, b]))
        #expect(plan.died.isEmpty)
        #expect(plan.state.deaths.isEmpty)
        #expect(plan.suspects == [a, p, b])
    }

    @Test func anInterruptedBatchIsAtMostOneBatchLong() {
        let many = (1...100).map { Key(sequence: UInt64($0), id: "x\($0)") }
        let plan = PoisonPolicy.decide(evidence(running: true, unfinished: many))
        #expect(plan.suspects == Array(many.prefix(64)))
    }

    @Test func theMarkerNamesTheCulpritAndTheOtherSuspectsStaySuspects() {
        let plan = PoisonPolicy.decide(evidence(running: true, deaths: [:], suspects: [p, b], marker: p, unfinished: [p, b]))
        #expect(plan.died == [p])
        #expect(plan.state.deaths == [p: 1])
        #expect(plan.suspects == [p, b])
    }

    @Test func anIntentRecordOfAPatchAloneNamesIt() {
        let plan = PoisonPolicy.decide(evidence(running: true, interrupted: [p], unfinished: [p, b]))
        #expect(plan.died == [p])
        #expect(plan.suspects == [p])
    }

    @Test func atCrashRetriesDeathsThePatchIsFiledAndNoLongerASuspect() {
        let plan = PoisonPolicy.decide(evidence(running: true, deaths: [p: 1], suspects: [p, b], marker: p, unfinished: [p, b]))
        #expect(plan.crashed == [p: 2])
        #expect(plan.suspects == [b])
        #expect(plan.state.suspects == [b])
    }

    @Test func belowCrashRetriesItIsAppliedAloneAgain() {
        let plan = PoisonPolicy.decide(evidence(running: true, deaths: [p: 1], suspects: [p], marker: p, unfinished: [p], retries: 3))
        #expect(plan.crashed.isEmpty)
        #expect(plan.state.deaths == [p: 2])
        #expect(plan.suspects == [p])
    }

    @Test func aStaleMarkerOfAFiledPatchIsIgnored() {
        // The marker names `a`, which has a receipt now; the host then died with two patches queued.
        let plan = PoisonPolicy.decide(evidence(running: true, marker: a, unfinished: [p, b]))
        #expect(plan.died.isEmpty)
        #expect(plan.suspects == [p, b])
    }

    @Test func deathsOfFinishedPatchesAreForgotten() {
        let plan = PoisonPolicy.decide(evidence(running: false, deaths: [a: 1, p: 1], suspects: [a], unfinished: [p]))
        #expect(plan.state.deaths == [p: 1])
        #expect(plan.suspects.isEmpty)
    }

    @Test func aPatchAlreadyAtTheLimitIsFiledEvenAfterACleanShutdown() {
        // Decided crashed at the last start, but the host stopped before filing it.
        let plan = PoisonPolicy.decide(evidence(running: false, deaths: [p: 2], unfinished: [p, b]))
        #expect(plan.crashed == [p: 2])
        #expect(plan.died.isEmpty)
    }

    @Test func zeroRetriesStillNeedsOneDeath() {
        #expect(PoisonPolicy.decide(evidence(running: false, unfinished: [p], retries: 0)).crashed.isEmpty)
        #expect(PoisonPolicy.decide(evidence(running: true, unfinished: [p], retries: 0)).crashed == [p: 1])
    }

    @Test func theStateFileAndTheMarkerRoundTrip() throws {
        let folder = try makeTempFolder("crashes")
        let file = CrashStateFile(url: URL(fileURLWithPath: folder + "/crashes.json"))
        #expect(file.load() == PoisonPolicy.CrashState())
        let state = PoisonPolicy.CrashState(running: true, deaths: [p: 1, Key(sequence: 9, id: "with \"quotes\""): 2], suspects: [p, b])
        try file.save(state)
        #expect(file.load() == state)

        let marker = ApplyingMarker(url: URL(fileURLWithPath: folder + "/applying"))
        #expect(marker.read() == nil)
        try marker.prepare()
        try marker.mark(Key(sequence: 12345, id: "a-long-id"))
        try marker.mark(p)
        #expect(marker.read() == p)
        marker.clear()
        #expect(marker.read() == nil)
    }
}
