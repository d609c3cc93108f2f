import ApplierAPI
import Testing

@testable import Transport

@Suite struct EventStreamTests {
    /// A value's JSON fits one `data:` line, whatever newlines its strings hold.
    @Test func anEventIsOneDataLine() {
        let event = HTTPTransport.event("status", ["text": "two\nlines", "n": 1])
        #expect(event == "event: status\ndata: {\"n\":1,\"text\":\"two\\nlines\"}\n\n")
    }
}
