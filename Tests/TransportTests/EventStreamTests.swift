import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import Transport

@Suite(.timeLimit(.minutes(1))) struct EventStreamTests {
    /// A value's JSON fits one `data:` line, whatever newlines its strings hold.
    @Test func anEventIsOneDataLine() {
        let event = HTTPTransport.event("status", ["text": "two\nlines", "n": 1])
        #expect(event == "event: status\ndata: {\"n\":1,\"text\":\"two\\nlines\"}\n\n")
    }

    /// Status and patches once, then nothing but heartbeats while nothing changes (and the patch list is
    /// not read again while the status stands still); the stream ends when the server stops.
    @Test func aQuietHostGetsHeartbeatsNotRepeats() async throws {
        var settings = HTTPSettings()
        settings.dashboard.eventInterval = .milliseconds(20)
        settings.dashboard.heartbeatInterval = .milliseconds(200)
        var stream: EventStreamClient?
        let intake = FakeIntake()
        try await withTransport(settings, intake: intake) { client in
            let opened = try EventStreamClient(port: client.port)
            stream = opened
            #expect(await eventually { opened.text.components(separatedBy: ": heartbeat").count >= 3 })
            #expect(opened.text.components(separatedBy: "event: status").count == 2)
            #expect(opened.text.components(separatedBy: "event: patches").count == 2)
            #expect(opened.text.contains("retry: 2000"))
            // The status is polled every 20 ms; on a loaded machine the first polls can lag the heartbeats.
            var polled = await intake.statusCalls
            for _ in 0..<100 where polled <= 5 {
                try await Task.sleep(for: .milliseconds(50))
                polled = await intake.statusCalls
            }
            #expect(polled > 5)
            #expect(await intake.listCalls == 1)
        }
        #expect(await eventually { stream?.closed == true })
    }
}
