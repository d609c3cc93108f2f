import ApplierAPI
import Foundation
import Testing

@testable import Host

@Suite struct ReceiptDecodingTests {
    /// Every field a receipt writes reads back to the same receipt.
    @Test func aReceiptRoundTripsThroughItsJSON() throws {
        var receipt = Receipt(
            id: "p1",
            role: "block",
            queue: "MAIN",
            source: .inbox,
            status: .failed,
            receivedAt: Date(timeIntervalSince1970: 1_764_600_000.125)
        )
        receipt.reason = .noMatch
        receipt.message = "pattern matched nothing"
        receipt.files = [
            FileRecord(path: "src/App.tsx", beforeSHA256: "a", afterSHA256: "b", modeBefore: 0o644, modeAfter: 0o755),
            FileRecord(path: "new.txt", beforeSHA256: nil, afterSHA256: "c", modeBefore: nil, modeAfter: 0o600),
        ]
        receipt.diff = "--- a/src/App.tsx\n+++ b/src/App.tsx\n"
        receipt.diffNote = "cut"
        receipt.steps = [
            StepRecord(
                phase: .validate,
                command: "npm test",
                exitCode: 1,
                timedOut: true,
                durationMs: 12.5,
                stdoutTail: "out",
                stderrTail: "err",
                truncated: true
            )
        ]
        receipt.operations = [["role": "ui_patch", "matches": 0]]
        receipt.extra = ["author": "model"]
        receipt.contentSHA256 = "hash"
        receipt.attempt = 2
        receipt.refused = true
        receipt.finishedAt = Date(timeIntervalSince1970: 1_764_600_001.5)
        receipt.durationMs = 3.25
        let decoded = try Receipt(json: receipt.json)
        #expect(decoded.json == receipt.json)
        #expect(decoded.status == .failed)
        #expect(decoded.reason == .noMatch)
        #expect(decoded.files[0].modeAfter == 0o755)
        #expect(decoded.steps[0].phase == .validate)
        #expect(decoded.attempt == 2)
        #expect(decoded.refused)
    }

    @Test(arguments: [
        #"{"id": "x", "received_at": "2026-12-01T00:00:00Z"}"#,
        #"{"id": "x", "status": "maybe", "received_at": "2026-12-01T00:00:00Z"}"#,
        #"{"id": "x", "status": "applied"}"#,
        #"{"id": "x", "status": "applied", "received_at": "2026-12-01T00:00:00Z", "files": [{"changed": true}]}"#,
    ])
    func aMalformedReceiptIsRefusedNamingTheField(text: String) throws {
        #expect(throws: ApplyError.self) { try Receipt(json: JSONParser.parse(text)) }
    }
}
