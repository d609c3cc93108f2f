import Foundation
import Testing

@testable import Host

/// The id filter may say "maybe" for an id it never saw, but never "no" for one it did: a "no" skips the
/// history, and a duplicate would be applied again.
@Suite struct IDFilterTests {
    @Test func neverForgetsAnIDAndRarelyImaginesOne() {
        let filter = IDFilter(capacity: 50_000)
        for n in 0..<50_000 { filter.insert("fix-\(n)") }
        filter.markFilled(count: 50_000)
        #expect((0..<50_000).allSatisfy { filter.mightContain("fix-\($0)") })
        let imagined = (0..<50_000).filter { filter.mightContain("other-\($0)") }.count
        #expect(imagined < 1_000, "\(imagined) false positives in 50,000")
    }

    /// Until it is filled (at start, in the background) it answers "maybe" for everything; ids recorded
    /// meanwhile are kept.
    @Test func answersMaybeUntilFilledAndKeepsIDsRecordedMeanwhile() {
        let filter = IDFilter(capacity: 10)
        #expect(filter.mightContain("anything"))
        filter.insert("recorded-while-filling")
        filter.insert("from-the-index")
        filter.markFilled(count: 1)
        #expect(filter.mightContain("recorded-while-filling"))
        #expect(filter.mightContain("from-the-index"))
        #expect(!filter.mightContain("never-seen"))
    }

    /// Past its bound it stays off (every lookup goes to the history) rather than growing.
    @Test func pastItsBoundItStaysOff() {
        let filter = IDFilter(capacity: 10, maximumIDs: 5)
        for n in 0..<6 { filter.insert("id-\(n)") }
        filter.markFilled(count: 6)
        #expect(filter.mightContain("never-seen"))
    }
}
