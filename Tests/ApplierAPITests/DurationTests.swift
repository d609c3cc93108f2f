import ApplierAPI
import Testing

@Suite struct DurationTests {
    @Test func secondsFromOutsideAreClampedInsteadOfTrapping() {
        let limit = Duration.seconds(300)
        #expect(Duration.seconds(1.5, atMost: limit) == .milliseconds(1500))
        #expect(Duration.seconds(1e300, atMost: limit) == limit)
        #expect(Duration.seconds(.infinity, atMost: limit) == limit)
        #expect(Duration.seconds(300, atMost: limit) == limit)
        #expect(Duration.seconds(-4, atMost: limit) == .zero)
    }
}
