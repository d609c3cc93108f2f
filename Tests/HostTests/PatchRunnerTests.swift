import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import Host

@Suite struct PatchRunnerTests {
    @Test func appliesARegexPatchWithHashesAndDiff() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/src/App.tsx", "<Text>old</Text>\n", mode: 0o600)
        let receipt = try await runPatch(
            #"{"id": "p1", "role": "ui_patch", "target_file": "src/App.tsx", "patch": {"pattern": "old", "replacement": "new"}, "ticket": 7}"#,
            in: root
        )
        #expect(receipt.status == .applied)
        #expect(readText(root + "/src/App.tsx") == "<Text>new</Text>\n")
        #expect(mode(root + "/src/App.tsx") == 0o600)
        #expect(receipt.files.first?.path == "src/App.tsx")
        #expect(receipt.files.first?.beforeSHA256 != receipt.files.first?.afterSHA256)
        #expect(receipt.diff.contains("-<Text>old</Text>\n+<Text>new</Text>"))
        #expect(receipt.extra["ticket"] == 7)
    }

    /// Files of a megabyte or more are hashed on another thread while the patch runs: the receipt's hashes
    /// must still be those of the bytes before and after.
    @Test func largeFilesGetTheHashesOfTheirBytes() async throws {
        let root = try makeTempFolder()
        let line = "<Text style={styles.label}>Item ✅</Text>\n"
        let before = String(repeating: line, count: 40_000)
        try writeFile(root + "/big.tsx", before)
        let receipt = try await runPatch(
            #"{"id": "big", "role": "ui_patch", "target_file": "big.tsx", "patch": {"pattern": "<Text (.*?)>", "replacement": "<Label $1>"}}"#,
            in: root
        )
        let after = String(repeating: "<Label style={styles.label}>Item ✅</Text>\n", count: 40_000)
        #expect(before.utf8.count > 1 << 20)
        #expect(receipt.status == .applied)
        #expect(readText(root + "/big.tsx") == after)
        #expect(receipt.files.first?.beforeSHA256 == Digest.sha256(Array(before.utf8)))
        #expect(receipt.files.first?.afterSHA256 == Digest.sha256(Array(after.utf8)))
    }

    @Test func checkWritesNothingButReportsTheDiff() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/a.txt", "one\n")
        let receipt = try await runPatch(
            #"{"id": "c", "mutations": [{"path": "a.txt", "contents": "two\n"}, {"path": "new/b.txt", "contents": "b"}]}"#,
            in: root,
            options: RunOptions(checkOnly: true)
        )
        #expect(receipt.status == .applied)
        #expect(receipt.checkOnly)
        #expect(receipt.diff.contains("-one\n+two"))
        #expect(receipt.diff.contains("--- /dev/null\n+++ b/new/b.txt"))
        #expect(listing(root) == ["a.txt"])
        #expect(readText(root + "/a.txt") == "one\n")
    }

    @Test func failingValidateRollsBackEveryFile() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/keep.txt", "original", mode: 0o640)
        try writeFile(root + "/gone.txt", "still here")
        let patch = #"""
            {"blockId": "v", "mutations": [
                {"path": "keep.txt", "contents": "changed", "mode": "0755"},
                {"path": "deep/new/file.txt", "contents": "created"},
                {"op": "delete", "path": "gone.txt"}],
             "postMutationBuild": {"shell": ["test -f deep/new/file.txt && ! test -e gone.txt"]},
             "validate": {"shell": ["grep -q changed keep.txt", "exit 4"]}}
            """#
        let receipt = try await runPatch(patch, in: root, options: shellAllowed)
        #expect(receipt.status == .failed)
        #expect(receipt.reason == .commandFailed)
        #expect(receipt.steps.map(\.exitCode) == [0, 0, 4])
        #expect(readText(root + "/keep.txt") == "original")
        #expect(mode(root + "/keep.txt") == 0o640)
        #expect(readText(root + "/gone.txt") == "still here")
        #expect(listing(root) == ["gone.txt", "keep.txt"])
    }

    @Test func symlinkCreatedEarlierInTheSamePatchIsRefused() async throws {
        let root = try makeTempFolder()
        let outside = try makeTempFolder("outside")
        let patch = """
            {"blockId": "s", "preMutationValidation": {"shell": ["ln -s \(outside) escape"]},
             "mutations": [{"path": "escape/pwned.txt", "contents": "x"}]}
            """
        let receipt = try await runPatch(patch, in: root, options: shellAllowed)
        #expect(receipt.status == .failed)
        #expect(receipt.reason == .pathOutsideWorkspace)
        #expect(listing(outside).isEmpty)
    }

    @Test func shellIsOffByDefaultAndNothingIsWritten() async throws {
        let root = try makeTempFolder()
        let receipt = try await runPatch(
            #"{"blockId": "b", "mutations": [{"path": "a.txt", "contents": "x"}], "validate": {"shell": ["true"]}}"#,
            in: root
        )
        #expect(receipt.reason == .shellDisabled)
        #expect(listing(root).isEmpty)
    }

    @Test func shellTimeoutFailsThePatchAndRollsBack() async throws {
        let root = try makeTempFolder()
        let options = RunOptions(shellPolicy: ShellPolicy(enabled: true, timeout: .milliseconds(300)))
        let receipt = try await runPatch(
            #"{"blockId": "t", "mutations": [{"path": "a.txt", "contents": "x"}], "validate": {"shell": ["sleep 20"]}}"#,
            in: root,
            options: options
        )
        #expect(receipt.reason == .timeout)
        #expect(receipt.steps.first?.timedOut == true)
        #expect(listing(root).isEmpty)
    }

    @Test func traversalAndAbsolutePathsFailWithNothingWritten() async throws {
        let root = try makeTempFolder()
        for target in ["../x.txt", "/etc/ghost-test.txt"] {
            let receipt = try await runPatch(
                #"{"blockId": "t", "mutations": [{"path": "ok.txt", "contents": "x"}, {"path": "\#(target)", "contents": "x"}]}"#,
                in: root
            )
            #expect(receipt.reason == .pathOutsideWorkspace)
        }
        #expect(listing(root).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "/etc/ghost-test.txt"))
    }

    @Test func unknownRoleListsKnownRoles() async throws {
        let receipt = try await runPatch(#"{"id": "u", "role": "api_patch", "target_file": "a", "patch": {}}"#, in: try makeTempFolder())
        #expect(receipt.reason == .unknownRole)
        #expect(receipt.message?.contains("ui_patch") == true)
    }

    @Test func laterOperationsSeeEarlierOnesInTheSamePatch() async throws {
        let root = try makeTempFolder()
        let patch = #"""
            {"blockId": "seq", "mutations": [
                {"path": "a.txt", "contents": "hello\n"},
                {"path": "./a.txt", "insertAfter": "hello\n", "contents": "world\n"},
                {"op": "chmod", "path": "a.txt", "mode": "0700"}]}
            """#
        let receipt = try await runPatch(patch, in: root)
        #expect(receipt.status == .applied)
        #expect(readText(root + "/a.txt") == "hello\nworld\n")
        #expect(mode(root + "/a.txt") == 0o700)
        #expect(receipt.files.count == 1)
    }

    @Test func invalidJSONGivesAFailedReceipt() async throws {
        let receipt = try await runPatch("{oops", in: try makeTempFolder())
        #expect(receipt.status == .failed)
        #expect(receipt.reason == .invalidJSON)
    }

    @Test func filesOverTheSizeLimitAreRefusedWithNothingWritten() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/big.txt", String(repeating: "a", count: 100))
        let small = RunOptions(limits: PatchLimits(maxFileBytes: 64))
        let read = try await runPatch(
            #"{"id": "r", "role": "ui_patch", "target_file": "big.txt", "patch": {"pattern": "a", "replacement": "b"}}"#,
            in: root,
            options: small
        )
        #expect(read.status == .failed)
        #expect(read.reason == .limitExceeded)
        #expect(read.message?.contains("file size limit is 64") == true)
        let grown = try await runPatch(
            #"{"id": "w", "role": "write", "target_file": "new.txt", "patch": {"contents": "\#(String(repeating: "x", count: 65))"}}"#,
            in: root,
            options: small
        )
        #expect(grown.reason == .limitExceeded)
        #expect(readText(root + "/big.txt") == String(repeating: "a", count: 100))
        #expect(listing(root) == ["big.txt"])
    }
}
