import ApplierAPI
import Foundation
import GhostTesting
import Host
import Testing

/// Whole patches attacking a queue's shell policy: each checks that nothing ran (no `PWNED` marker),
/// the reason code, and, where the refusal comes before the first file operation, that no file was written.
@Suite struct ShellHardeningTests {
    func allowing(_ patterns: [String], searchPath: String? = nil) -> RunOptions {
        RunOptions(shellPolicy: ShellPolicy(enabled: true, allow: patterns, timeout: .seconds(30), searchPath: searchPath))
    }

    @Test func aPatchsOwnProgramDoesNotRunThroughItsOwnPath() async throws {
        let root = try makeTempFolder()
        let patch = #"""
            {"blockId": "own-npm",
             "mutations": [{"op": "upsert", "path": "bin/npm", "mode": "0755", "contents": "#!/bin/sh\ntouch \"$PWD/PWNED\"\n"}],
             "validate": {"shell": [{"run": "npm test", "env": {"PATH": "bin:/usr/bin:/bin"}}]}}
            """#
        let receipt = try await runPatch(patch, in: root, options: allowing(["^npm test$"]))
        #expect(receipt.reason == .shellNotAllowed)
        #expect(listing(root).isEmpty)
    }

    @Test func aRelativeEntryOnTheHostsPathDoesNotFindTheWorkspace() async throws {
        let root = try makeTempFolder()
        let patch = #"""
            {"blockId": "own-tool",
             "mutations": [{"op": "upsert", "path": "bin/ghost-fake-npm", "mode": "0755", "contents": "#!/bin/sh\ntouch \"$PWD/PWNED\"\n"}],
             "validate": {"shell": ["ghost-fake-npm test"]}}
            """#
        let receipt = try await runPatch(patch, in: root, options: allowing(["^ghost-fake-npm test$"], searchPath: "bin:.::/usr/bin:/bin"))
        #expect(receipt.reason == .shellNotAllowed)
        #expect(receipt.steps.isEmpty)
        // The program was written, never run, and rolled back with the rest of the patch.
        #expect(listing(root).isEmpty)
    }

    @Test func operatorsAreRefusedBeforeAnyFileIsWritten() async throws {
        let root = try makeTempFolder()
        let commands = [
            "echo hello; touch PWNED", "echo hello & touch PWNED", "echo hello $(touch PWNED)", "echo hello `touch PWNED`",
            "echo hello\\ntouch PWNED",
        ]
        for command in commands {
            let patch = """
                {"blockId": "ops", "mutations": [{"path": "a.txt", "contents": "x"}], "validate": {"shell": ["\(command)"]}}
                """
            let receipt = try await runPatch(patch, in: root, options: allowing(["^echo hello.*$"]))
            #expect(receipt.reason == .shellNotAllowed, "\(command)")
            #expect(receipt.steps.isEmpty)
            #expect(listing(root).isEmpty, "\(command)")
        }
        // The seed's v1 shell-string patch is a shell step like any other.
        let seed = #"{"id": "seed", "role": "ghost-system", "patch": "echo hello; touch PWNED"}"#
        #expect(try await runPatch(seed, in: root, options: allowing(["^echo hello.*$"])).reason == .shellNotAllowed)
        #expect(listing(root).isEmpty)
    }

    @Test func anAllowedCommandStillRunsAfterTheFilesAreWritten() async throws {
        let root = try makeTempFolder()
        let patch = #"""
            {"blockId": "ok", "mutations": [{"path": "src/a.txt", "contents": "x"}],
             "validate": {"shell": [{"run": "cat a.txt", "cwd": "src"}]}}
            """#
        let receipt = try await runPatch(patch, in: root, options: allowing(["^cat a\\.txt$"]))
        #expect(receipt.status == .applied)
        #expect(receipt.steps.map(\.stdoutTail) == ["x"])
    }

    @Test func aCwdSymlinkLeadingOutsideIsRefused() async throws {
        let root = try makeTempFolder()
        let outside = try makeTempFolder("outside")
        try FileManager.default.createSymbolicLink(atPath: root + "/out", withDestinationPath: outside)
        for cwd in ["out", "out/", "./out", "out/sub"] {
            let patch = """
                {"blockId": "cwd", "mutations": [{"path": "a.txt", "contents": "x"}],
                 "validate": {"shell": [{"run": "touch PWNED", "cwd": "\(cwd)"}]}}
                """
            let receipt = try await runPatch(patch, in: root, options: shellAllowed)
            #expect(receipt.reason == .pathOutsideWorkspace, "\(cwd)")
            #expect(listing(root) == ["out"], "\(cwd)")
        }
        #expect(listing(outside).isEmpty)
    }

    @Test func aCwdSymlinkMadeByAnEarlierStepIsRefusedWhenItsStepRuns() async throws {
        let root = try makeTempFolder()
        let outside = try makeTempFolder("outside")
        let patch = """
            {"blockId": "late", "preMutationValidation": {"shell": ["ln -s \(outside) late"]},
             "mutations": [{"path": "a.txt", "contents": "x"}],
             "validate": {"shell": [{"run": "touch PWNED", "cwd": "late"}]}}
            """
        let receipt = try await runPatch(patch, in: root, options: shellAllowed)
        #expect(receipt.reason == .pathOutsideWorkspace)
        #expect(receipt.steps.count == 1)
        #expect(listing(outside).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root + "/a.txt"))
    }

    @Test func aCwdSymlinkInsideTheWorkspaceIsFollowed() async throws {
        let root = try makeTempFolder()
        try FileManager.default.createDirectory(atPath: root + "/real/sub", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: "real")
        let patch = #"""
            {"blockId": "in", "mutations": [{"path": "m.txt", "contents": "x"}],
             "validate": {"shell": [{"run": "pwd -P", "cwd": "link/sub"}, {"run": "pwd -P", "cwd": "."}]}}
            """#
        let receipt = try await runPatch(patch, in: root, options: shellAllowed)
        let realRoot = try Workspace(root: root).realRoot
        #expect(receipt.status == .applied)
        #expect(receipt.steps.map(\.stdoutTail) == [realRoot + "/real/sub\n", realRoot + "\n"])
        let notAFolder =
            #"{"blockId": "f", "mutations": [{"path": "f.txt", "contents": "x"}], "validate": {"shell": [{"run": "true", "cwd": "f.txt"}]}}"#
        #expect(try await runPatch(notAFolder, in: root, options: shellAllowed).reason == .ioError)
    }
}
