import ApplierAPI
import Appliers
import Foundation
import GhostTesting
import Testing

@testable import Host

/// Content-only patches applied together (`PatchRunner.runBatch`) must leave exactly the files and
/// receipts that applying them one at a time leaves, with one commit for all of them.
@Suite struct BatchTests {
    static let patches = [
        #"{"id": "a", "role": "ui_patch", "target_file": "src/App.tsx", "patch": {"pattern": "old", "replacement": "one"}}"#,
        #"{"id": "b", "role": "ui_patch", "target_file": "src/App.tsx", "patch": {"pattern": "missing", "replacement": "zzz"}}"#,
        #"{"id": "c", "role": "write", "target_file": "src/new.txt", "patch": {"contents": "fresh\n", "mode": "0600"}}"#,
        #"{"id": "d", "role": "ui_patch", "target_file": "src/App.tsx", "patch": {"pattern": "one", "replacement": "two"}}"#,
        #"{"id": "e", "role": "write", "target_file": "src/new.txt", "patch": {"contents": "fresh\n", "mode": "0600"}}"#,
        #"{"blockId": "f", "mutations": [{"path": "src/x.txt", "contents": "x"}, {"path": "../escape.txt", "contents": "no"}]}"#,
        #"{"id": "g", "role": "delete", "target_file": "src/gone.txt"}"#,
    ]

    func seed(_ root: String) throws {
        try writeFile(root + "/src/App.tsx", "<Text>old</Text>\r\n", mode: 0o640)
        try writeFile(root + "/src/gone.txt", "bye\n")
    }

    /// What a receipt says, without its timing.
    func summary(_ receipt: Receipt) -> String {
        let files = receipt.files.map { "\($0.path) \($0.beforeSHA256 ?? "-") \($0.afterSHA256 ?? "-") \($0.modeBefore ?? 0) \($0.modeAfter ?? 0)" }
        return "\(receipt.id ?? "?") \(receipt.status) \(receipt.reason?.rawValue ?? "") \(files) \(receipt.diff)"
    }

    @Test func aBatchLeavesWhatOneAtATimeLeaves() async throws {
        let runner = PatchRunner(registry: .builtIn())
        let patches = try Self.patches.map { try Patch.parse(json: Array($0.utf8)) }
        #expect(patches.allSatisfy(runner.isContentOnly))

        let alone = try makeTempFolder("alone")
        try seed(alone)
        var aloneReceipts: [Receipt] = []
        for patch in patches { aloneReceipts.append(await runner.run(patch, in: try Workspace(root: alone), options: RunOptions())) }

        let together = try makeTempFolder("together")
        try seed(together)
        let spool = try makeTempFolder("spool")
        let log = IntentLog(url: URL(fileURLWithPath: spool + "/intent.log"))
        try log.prepare()
        let members = patches.enumerated().map { index, patch in
            PatchRunner.BatchMember(patch: patch, sequence: UInt64(10 + index), options: RunOptions(), receivedAt: Date())
        }
        let receipts = await runner.run(members, in: try Workspace(root: together), intent: IntentContext(log: log, sequence: 10, id: "a"))

        #expect(receipts.map(summary) == aloneReceipts.map(summary))
        #expect(receipts.map(\.status) == [.applied, .failed, .applied, .applied, .unchanged, .failed, .applied])
        #expect(receipts[5].reason == .pathOutsideWorkspace)
        #expect(listing(together) == listing(alone))
        for path in listing(alone) where !path.hasSuffix("src") {
            #expect(readText(together + "/" + path) == readText(alone + "/" + path), "\(path)")
            #expect(mode(together + "/" + path) == mode(alone + "/" + path), "\(path)")
        }
        #expect(readText(together + "/src/App.tsx") == "<Text>two</Text>\r\n")

        // One commit record names every member with its outcome.
        let records = try log.records()
        #expect(records.count == 1)
        #expect(records.first?.stage == .commit)
        #expect(records.first?.members?.map(\.id) == ["a", "b", "c", "d", "e", "f", "g"])
        #expect(records.first?.members?.map(\.status) == ["applied", "failed", "applied", "applied", "unchanged", "failed", "applied"])
        #expect(Set(records.first?.files.map(\.path) ?? []) == ["src/App.tsx", "src/new.txt", "src/gone.txt"])
    }

    @Test func membersOfACommittedBatchAreFiledWithTheirOwnOutcome() throws {
        let state = IntentRecord.FileState(sha256: "h", mode: 0o644)
        let applied = IntentRecord.Member(
            sequence: 1,
            id: "a",
            status: "applied",
            files: [IntentRecord.File(path: "a.txt", before: nil, after: state)]
        )
        let unchanged = IntentRecord.Member(
            sequence: 2,
            id: "b",
            status: "unchanged",
            files: [IntentRecord.File(path: "a.txt", before: state, after: state)]
        )
        let failed = IntentRecord.Member(sequence: 3, id: "c", status: "failed", reason: "no_match", message: "nowhere", files: [])
        let batch = IntentRecovery.Outcome.applied([])

        guard case .applied(let files) = IntentRecovery.outcome(of: applied, inBatch: batch) else {
            Issue.record("expected applied")
            return
        }
        #expect(files.map(\.path) == ["a.txt"])
        #expect(files.first?.beforeSHA256 == nil && files.first?.afterSHA256 == "h")
        guard case .unchanged = IntentRecovery.outcome(of: unchanged, inBatch: batch) else {
            Issue.record("expected unchanged")
            return
        }
        #expect(IntentRecovery.outcome(of: failed, inBatch: batch) == .failed(.noMatch, "nowhere"))
        // A batch that never took effect runs again; one that cannot be finished fails every member that had succeeded.
        #expect(IntentRecovery.outcome(of: applied, inBatch: .requeue) == .requeue)
        #expect(IntentRecovery.outcome(of: applied, inBatch: .failed(.conflict, "x")) == .failed(.conflict, "x"))
        #expect(IntentRecovery.outcome(of: failed, inBatch: .failed(.conflict, "x")) == .failed(.noMatch, "nowhere"))
    }

    @Test func aBatchRecordSurvivesEncoding() {
        let member = IntentRecord.Member(
            sequence: 4,
            id: "p(4)",
            status: "failed",
            reason: "no_match",
            message: "✅ nowhere",
            files: [IntentRecord.File(path: "a", before: IntentRecord.FileState(sha256: "x", mode: 0o600), after: nil)]
        )
        let record = IntentRecord(sequence: 4, id: "p(4)", stage: .commit, rerunnable: true, files: [], step: nil, members: [member])
        #expect(IntentRecord.decodeAll(record.encoded()) == [record])
    }
}
