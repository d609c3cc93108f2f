import ApplierAPI
import Appliers
import Foundation
import GhostTesting
import Testing

@testable import Host

/// The revert plan, pure: a receipt and its before-images give the files to put back, the current hashes
/// give `conflict` or not; and the batch path keeps each member's own before-images.
@Suite struct RevertPlanTests {
    static let before = FileContent(bytes: Array("before\n".utf8), mode: 0o600)
    static let after = FileContent(bytes: Array("after\n".utf8), mode: 0o644)
    static let hashBefore = Digest.sha256(before.bytes)
    static let hashAfter = Digest.sha256(after.bytes)

    /// An applied receipt that edited `edited`, created `created` and deleted `deleted`.
    func receipt(status: Receipt.Status = .applied) -> Receipt {
        var receipt = Receipt(id: "p", role: "write", queue: "q", source: .http, status: status, receivedAt: Date())
        receipt.files = [
            FileRecord(path: "edited", beforeSHA256: Self.hashBefore, afterSHA256: Self.hashAfter, modeBefore: 0o600, modeAfter: 0o644),
            FileRecord(path: "created", beforeSHA256: nil, afterSHA256: Self.hashAfter, modeBefore: nil, modeAfter: 0o644),
            FileRecord(path: "deleted", beforeSHA256: Self.hashBefore, afterSHA256: nil, modeBefore: 0o600, modeAfter: nil),
            FileRecord(path: "read", beforeSHA256: Self.hashAfter, afterSHA256: Self.hashAfter, modeBefore: 0o644, modeAfter: 0o644),
        ]
        return receipt
    }

    var images: BeforeImages {
        BeforeImages.capture(
            [("edited", Self.before, Self.after, nil), ("created", nil, Self.after, nil), ("deleted", Self.before, nil, nil)],
            limit: 1 << 20
        )
    }

    @Test func putsBackEditedAndDeletedFilesAndDeletesCreatedOnes() throws {
        let plan = try RevertPlan.make(for: receipt(), images: images)
        #expect(
            plan.steps == [
                RevertPlan.Step(path: "edited", expectSHA256: Self.hashAfter, restore: Self.before),
                RevertPlan.Step(path: "created", expectSHA256: Self.hashAfter, restore: nil),
                RevertPlan.Step(path: "deleted", expectSHA256: nil, restore: Self.before),
            ]
        )
        let untouched: [String: String?] = ["edited": Self.hashAfter, "created": Self.hashAfter, "deleted": nil]
        #expect(plan.conflicts(current: untouched).isEmpty)
        let changed: [String: String?] = ["edited": "other", "created": nil, "deleted": Self.hashBefore]
        #expect(plan.conflicts(current: changed) == ["edited", "created", "deleted"])
        #expect(plan.conflict(["edited"]).reason == .conflict)
        #expect(plan.conflict(["edited"]).message.contains("edited"))
    }

    @Test func thePlanTravelsThroughTheRevertPatchUnchanged() throws {
        let plan = try RevertPlan.make(for: receipt(), images: images)
        let patch = try Patch.parse(json: plan.patchBody(id: "revert-p"))
        #expect(patch.id == "revert-p")
        #expect(patch.operations.map(\.role) == ["restore"])
        #expect(try RevertPlan(payload: patch.operations[0].payload) == plan)
        #expect(PatchRunner(registry: .builtIn()).isContentOnly(patch))
    }

    @Test func refusesWhatCannotBeUndoneExactly() {
        #expect(throws: ApplyError.self) { try RevertPlan.make(for: receipt(status: .failed), images: images) }
        #expect(throws: ApplyError.self) { try RevertPlan.make(for: receipt(status: .unchanged), images: images) }
        #expect(throws: ApplyError.self) { try RevertPlan.make(for: receipt(), images: nil) }
        var stepped = receipt()
        stepped.steps = [StepRecord(phase: .validate, command: "make", exitCode: 0, durationMs: 1, stdoutTail: "", stderrTail: "")]
        #expect(throws: ApplyError.self) { try RevertPlan.make(for: stepped, images: images) }
        var over = images
        over.overLimit = ("edited", 9_000_000)
        #expect(throws: ApplyError.self) { try RevertPlan.make(for: receipt(), images: over) }
        var damaged = images
        damaged.images[0].bytes = Array("tampered".utf8)
        #expect(throws: ApplyError.self) { try RevertPlan.make(for: receipt(), images: damaged) }
        do {
            _ = try RevertPlan.make(for: stepped, images: images)
        } catch {
            #expect(error.reason == .invalidPatch)
            #expect(error.message.contains("step"))
        }
    }

    /// Each batch member's images are the files as the members before it left them.
    @Test func aBatchKeepsEachMembersOwnBeforeImages() async throws {
        let root = try makeTempFolder("batch-before")
        try writeFile(root + "/a.txt", "zero\n", mode: 0o640)
        try writeFile(root + "/gone.txt", "bye\n")
        let sources = [
            #"{"id": "one", "role": "ui_patch", "target_file": "a.txt", "patch": {"pattern": "zero", "replacement": "one"}}"#,
            #"{"id": "two", "role": "ui_patch", "target_file": "a.txt", "patch": {"pattern": "one", "replacement": "two"}}"#,
            #"{"id": "new", "role": "write", "target_file": "new.txt", "patch": {"contents": "fresh\n"}}"#,
            #"{"id": "del", "role": "delete", "target_file": "gone.txt"}"#,
        ]
        let options = RunOptions(beforeImageBytes: 1 << 20)
        let members = try sources.enumerated().map { index, source in
            PatchRunner.BatchMember(
                patch: try Patch.parse(json: Array(source.utf8)),
                sequence: UInt64(index + 1),
                options: options,
                receivedAt: Date()
            )
        }
        let spool = try makeTempFolder("batch-before-spool")
        let log = IntentLog(url: URL(fileURLWithPath: spool + "/intent.log"))
        try log.prepare()
        let receipts = await PatchRunner(registry: .builtIn()).run(
            members,
            in: try Workspace(root: root),
            intent: IntentContext(log: log, sequence: 1, id: "one")
        )
        #expect(receipts.map(\.status) == [.applied, .applied, .applied, .applied])
        #expect(receipts[0].beforeImages?.images.map { String(decoding: $0.bytes, as: UTF8.self) } == ["zero\n"])
        #expect(receipts[0].beforeImages?.images.first?.mode == 0o640)
        #expect(receipts[1].beforeImages?.images.map { String(decoding: $0.bytes, as: UTF8.self) } == ["one\n"])
        #expect(receipts[2].beforeImages?.images == [])
        #expect(receipts[3].beforeImages?.images.map { String(decoding: $0.bytes, as: UTF8.self) } == ["bye\n"])
        let plan = try RevertPlan.make(for: receipts[1], images: receipts[1].beforeImages)
        #expect(
            plan.steps == [
                RevertPlan.Step(
                    path: "a.txt",
                    expectSHA256: Digest.sha256(Array("two\n".utf8)),
                    restore: FileContent(bytes: Array("one\n".utf8), mode: 0o640)
                )
            ]
        )
    }
}
