import Testing

@testable import Transport

@Suite struct InboxRetriesTests {
    @Test func anInboxFileThatKeepsFailingIsTriedLessOftenAndLoggedOnce() {
        var retries = InboxRetries()
        let start = ContinuousClock.now
        let firsts = (0..<3).map { _ in retries.postpone("a.json", at: start) }
        #expect(firsts == [true, false, false])
        #expect(retries.delay(of: "a.json", from: start) == .seconds(1))
        for _ in 0..<20 { _ = retries.postpone("a.json", at: start) }
        #expect(retries.delay(of: "a.json", from: start) == InboxRetries.longestDelay)
        // A file still being written is looked at again soon, and is not logged.
        let logged = retries.postpone("b.json", at: start, failed: false)
        #expect(!logged)
        #expect(retries.delay(of: "b.json", from: start) == InboxRetries.firstDelay)
        #expect(retries.due(at: start + .milliseconds(300)) == ["b.json"])
        retries.forget("a.json")
        #expect(retries.delay(of: "a.json", from: start) == nil)
    }
}
