import ApplierAPI
import Appliers
import Foundation
import GhostTesting
import Testing

@testable import Host

/// Recovery from the intent log, on workspaces left as a crash at each stage would leave them.
@Suite struct IntentRecoveryTests {
    let root: String
    let workspace: Workspace

    init() throws {
        root = try makeTempFolder("intent")
        workspace = try Workspace(root: root)
    }

    func state(_ text: String, mode: UInt16 = 0o644) -> IntentRecord.FileState {
        IntentRecord.FileState(sha256: Digest.sha256(Array(text.utf8)), mode: mode)
    }

    func record(_ stage: IntentRecord.Stage, rerunnable: Bool = true, _ files: [IntentRecord.File], step: String? = nil) -> IntentRecord {
        IntentRecord(sequence: 7, id: "p7", stage: stage, rerunnable: rerunnable, files: files, step: step)
    }

    @Test func commitWithTheFileStillOldRenamesTheStagedFileIn() throws {
        try writeFile(root + "/a.txt", "old\n")
        try writeFile(root + "/.a.txt.ghost-7.new", "new\n", mode: 0o600)
        let file = IntentRecord.File(path: "a.txt", before: state("old\n"), after: state("new\n", mode: 0o600), staged: ".a.txt.ghost-7.new")
        let outcome = IntentRecovery.recover([record(.commit, [file])], in: workspace)
        guard case .applied(let files) = outcome else {
            Issue.record("expected applied, got \(outcome)")
            return
        }
        #expect(files.map(\.path) == ["a.txt"])
        #expect(readText(root + "/a.txt") == "new\n")
        #expect(mode(root + "/a.txt") == 0o600)
        #expect(listing(root) == ["a.txt"])
    }

    @Test func commitWithEveryFileDoneIsAppliedAndLeftoversGo() throws {
        try writeFile(root + "/src/a.txt", "new\n")
        try writeFile(root + "/src/.a.txt.ghost-7.orig", "old\n")
        try writeFile(root + "/src/.a.txt.ghost-123-456.tmp", "half")
        try writeFile(root + "/gone.txt", "")
        let files = [
            IntentRecord.File(path: "src/a.txt", before: state("old\n"), after: state("new\n"), backup: ".a.txt.ghost-7.orig"),
            IntentRecord.File(path: "deleted.txt", before: state("x"), after: nil),
        ]
        #expect(IntentRecovery.recover([record(.commit, files)], in: workspace) != .requeue)
        #expect(readText(root + "/src/a.txt") == "new\n")
        #expect(listing(root) == ["gone.txt", "src", "src/a.txt"])
    }

    @Test func commitWhoseStagedFileNeverMadeItAndNothingRenamedIsRunAgain() throws {
        // The record and the staged files are flushed side by side; the crash came before the staged file was whole.
        try writeFile(root + "/a.txt", "old\n")
        try writeFile(root + "/.a.txt.ghost-7.new", "ne")
        let file = IntentRecord.File(path: "a.txt", before: state("old\n"), after: state("new\n"), staged: ".a.txt.ghost-7.new")
        #expect(IntentRecovery.recover([record(.commit, [file])], in: workspace) == .requeue)
        #expect(readText(root + "/a.txt") == "old\n")
        #expect(listing(root) == ["a.txt"])
    }

    @Test func commitOverAFileSomeoneElseChangedIsAConflictAndTouchesNothing() throws {
        try writeFile(root + "/a.txt", "edited by hand\n")
        try writeFile(root + "/.a.txt.ghost-7.new", "new\n")
        let file = IntentRecord.File(path: "a.txt", before: state("old\n"), after: state("new\n"), staged: ".a.txt.ghost-7.new")
        let outcome = IntentRecovery.recover([record(.commit, [file])], in: workspace)
        guard case .failed(let reason, let message) = outcome else {
            Issue.record("expected a conflict, got \(outcome)")
            return
        }
        #expect(reason == .conflict)
        #expect(message.contains("a.txt"))
        #expect(readText(root + "/a.txt") == "edited by hand\n")
        #expect(listing(root) == ["a.txt"])
    }

    @Test func aStepThatIsNotIdempotentFailsThePatchWithItsFilesRestored() throws {
        try writeFile(root + "/a.txt", "new\n")
        try writeFile(root + "/.a.txt.ghost-7.orig", "old\n", mode: 0o755)
        try writeFile(root + "/created.txt", "made by the patch\n")
        let files = [
            IntentRecord.File(path: "a.txt", before: state("old\n", mode: 0o755), after: state("new\n"), backup: ".a.txt.ghost-7.orig"),
            IntentRecord.File(path: "created.txt", before: nil, after: state("made by the patch\n")),
        ]
        let outcome = IntentRecovery.recover([record(.step, rerunnable: false, files, step: "validate: npm test")], in: workspace)
        guard case .failed(let reason, let message) = outcome else {
            Issue.record("expected interrupted, got \(outcome)")
            return
        }
        #expect(reason == .interrupted)
        #expect(message.contains("validate: npm test"))
        #expect(readText(root + "/a.txt") == "old\n")
        #expect(mode(root + "/a.txt") == 0o755)
        #expect(listing(root) == ["a.txt"])
    }

    /// A mode-only change is undone even while the patch's backup is still a second link to the file
    /// (a file with more links than that is refused by ``Workspace/setMode(_:mode:ownLinks:)``).
    @Test func aModeChangeIsUndoneWhileTheBackupLinkStillExists() throws {
        try writeFile(root + "/a.txt", "same\n", mode: 0o755)
        #expect(link(root + "/a.txt", root + "/.a.txt.ghost-7.orig") == 0)
        let file = IntentRecord.File(path: "a.txt", before: state("same\n"), after: state("same\n", mode: 0o755), backup: ".a.txt.ghost-7.orig")
        #expect(IntentRecovery.recover([record(.step, [file], step: "post_build: make")], in: workspace) == .requeue)
        #expect(mode(root + "/a.txt") == 0o644)
        #expect(listing(root) == ["a.txt"])
    }

    /// With an intent log, a flush before a step keeps a backup link to each file: a chmod after it is
    /// still the patch's own file, not a hard link to refuse.
    @Test func aJournaledChmodBesideAStepSucceeds() async throws {
        try writeFile(root + "/a.txt", "same\n")
        let spool = try makeTempFolder("spool")
        let log = IntentLog(url: URL(fileURLWithPath: spool + "/intent.log"))
        let patch = try Patch.parse(
            JSONParser.parse(
                Array(#"{"blockId": "m", "mutations": [{"op": "chmod", "path": "a.txt", "mode": "0755"}], "validate": {"shell": ["true"]}}"#.utf8)
            )
        )
        let receipt = await PatchRunner(registry: .builtIn()).run(
            patch,
            in: workspace,
            options: shellAllowed,
            receivedAt: Date(),
            intent: IntentContext(log: log, sequence: 1, id: "m")
        )
        #expect(receipt.status == .applied, "\(receipt.message ?? "")")
        #expect(mode(root + "/a.txt") == 0o755)
        #expect(listing(root) == ["a.txt"])
    }

    @Test func anIdempotentStepRequeuesThePatchWithItsFilesRestored() throws {
        try writeFile(root + "/a.txt", "new\n")
        try writeFile(root + "/.a.txt.ghost-7.orig", "old\n")
        let file = IntentRecord.File(path: "a.txt", before: state("old\n"), after: state("new\n"), backup: ".a.txt.ghost-7.orig")
        #expect(IntentRecovery.recover([record(.step, [file], step: "post_build: make")], in: workspace) == .requeue)
        #expect(readText(root + "/a.txt") == "old\n")
        #expect(listing(root) == ["a.txt"])
    }

    @Test func aFileInAStateAnEarlierRecordWroteIsStillRolledBack() throws {
        // Two flushes: the crash came after the second record and before its rename.
        try writeFile(root + "/a.txt", "first\n")
        try writeFile(root + "/.a.txt.ghost-7.orig", "old\n")
        try writeFile(root + "/.a.txt.ghost-7.new", "second\n")
        let first = IntentRecord.File(path: "a.txt", before: state("old\n"), after: state("first\n"), backup: ".a.txt.ghost-7.orig")
        var second = first
        second.after = state("second\n")
        second.staged = ".a.txt.ghost-7.new"
        #expect(IntentRecovery.recover([record(.flush, [first]), record(.flush, [second])], in: workspace) == .requeue)
        #expect(readText(root + "/a.txt") == "old\n")
        #expect(listing(root) == ["a.txt"])
    }

    @Test func aTornLastRecordLeavesThePreviousOneInCharge() throws {
        let log = IntentLog(url: URL(fileURLWithPath: root + "/intent.log"))
        try log.prepare()
        let file = IntentRecord.File(path: "a.txt", before: state("old\n"), after: state("new\n"))
        try log.append(record(.flush, [file]))
        try log.append(record(.commit, [file]))
        let handle = try FileHandle(forUpdating: log.url)
        let size = try handle.seekToEnd()
        try handle.truncate(atOffset: size - 5)
        try handle.close()
        #expect(try log.records().map(\.stage) == [.flush])
        log.reset()
        #expect(try log.records().isEmpty)
    }

    @Test func aServedPatchLeavesOnlyItsCommitRecordAndNoSideFiles() async throws {
        try writeFile(root + "/src/App.tsx", "<Text>Old</Text>\n")
        let log = IntentLog(url: URL(fileURLWithPath: try makeTempFolder("intent-log") + "/intent.log"))
        try log.prepare()
        let patch = try Patch.parse(
            json: Array(
                #"{"id":"p7","role":"ui_patch","target_file":"src/App.tsx","patch":{"pattern":"Old","replacement":"New"}}"#.utf8
            )
        )
        let receipt = await PatchRunner(registry: .builtIn()).run(
            patch,
            in: workspace,
            options: RunOptions(),
            receivedAt: Date(),
            intent: IntentContext(log: log, sequence: 7, id: "p7")
        )
        #expect(receipt.status == .applied)
        #expect(readText(root + "/src/App.tsx") == "<Text>New</Text>\n")
        #expect(listing(root) == ["src", "src/App.tsx"])
        let records = try log.records()
        #expect(records.map(\.stage) == [.commit])
        #expect(records.first?.files.first?.after == state("<Text>New</Text>\n"))
        #expect(receipt.files.first?.afterSHA256 == records.first?.files.first?.after?.sha256)
    }

    @Test func aFailingValidateStepIsAnnouncedThenRolledBackWithoutBackupsLeft() async throws {
        try writeFile(root + "/a.txt", "old\n")
        let patch = try Patch.parse(
            json: Array(
                #"{"blockId":"p7","mutations":[{"path":"a.txt","contents":"new\n"},{"path":"b.txt","contents":"b\n"}],"validate":{"shell":["grep -q old a.txt"]}}"#
                    .utf8
            )
        )
        let log = IntentLog(url: URL(fileURLWithPath: try makeTempFolder("intent-log") + "/intent.log"))
        try log.prepare()
        let receipt = await PatchRunner(registry: .builtIn()).run(
            patch,
            in: workspace,
            options: shellAllowed,
            receivedAt: Date(),
            intent: IntentContext(log: log, sequence: 7, id: "p7")
        )
        #expect(receipt.status == .failed)
        #expect(receipt.reason == .commandFailed)
        #expect(readText(root + "/a.txt") == "old\n")
        #expect(listing(root) == ["a.txt"])
        let records = try log.records()
        #expect(records.map(\.stage) == [.flush, .step, .rollback])
        #expect(records[0].files.first?.backup == ".a.txt.ghost-7.orig")
        #expect(records[1].step == "validate: grep -q old a.txt")
        #expect(records[1].rerunnable == false)
    }
}
