import ApplierAPI
import Foundation
import Testing

@testable import Host

/// Which failed attempts run again when sent again: only those of which nothing took effect.
@Suite struct ReceiptOutcomesTests {
    func failed(_ reason: Reason, message: String = "no match") -> Receipt {
        var receipt = Receipt(id: "p", role: "ui_patch", queue: "main", source: .http, status: .failed, receivedAt: Date())
        receipt.reason = reason
        receipt.message = message
        return receipt
    }

    @Test func aFailureThatTouchedNothingMayRunAgain() {
        #expect(failed(.noMatch).changedNothing)
        #expect(failed(.cancelled).changedNothing)
    }

    @Test func anythingThatMayHaveTakenEffectNeedsRetry() {
        var stepRan = failed(.commandFailed)
        stepRan.steps = [StepRecord(phase: .postBuild, command: "make", exitCode: 2, durationMs: 1, stdoutTail: "", stderrTail: "")]
        #expect(!stepRan.changedNothing)
        #expect(!failed(.ioError, message: "disk full; ROLLBACK INCOMPLETE: src/a").changedNothing)
        #expect(!failed(.crashedHost).changedNothing)
        #expect(!failed(.interrupted).changedNothing)
        var recovered = failed(.conflict)
        recovered.extra["recovered"] = true
        #expect(!recovered.changedNothing)
        var applied = failed(.noMatch)
        applied.status = .applied
        #expect(!applied.changedNothing)
        var refused = failed(.invalidPatch)
        refused.refused = true
        #expect(!refused.changedNothing)
    }

    @Test func aCancelledReceiptSaysNothingRan() {
        let receipt = Receipt.cancelled(nil, id: "q", options: RunOptions(queue: "main", source: .inbox), receivedAt: Date())
        #expect(receipt.status == .failed)
        #expect(receipt.reason == .cancelled)
        #expect(receipt.source == .inbox)
        #expect(receipt.json["reason"] == "cancelled")
    }

    /// The summary `ghost status` lists is the same whether taken from the fields or from the JSON.
    @Test func theSummaryMatchesTheOneTakenFromTheJSON() {
        var full = failed(.noMatch)
        full.diff = "+x\n"
        let bare = Receipt(id: nil, role: nil, queue: nil, source: .inbox, status: .applied, receivedAt: Date())
        for receipt in [full, bare] { #expect(receipt.summary == Receipt.summary(of: receipt.json)) }
    }
}
