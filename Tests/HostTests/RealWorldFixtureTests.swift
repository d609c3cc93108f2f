import ApplierAPI
import Foundation
import GhostTesting
import Host
import Testing

/// Every patch in Fixtures/real-world (the old system's users' own files) works.
@Suite struct RealWorldFixtureTests {
    @Test func dummyUIPatch() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/tmp_test_target.tsx", "<View>\n  <Text>This text will be patched.</Text>\n</View>\n")
        let receipt = try await runPatch(try fixtureText("v1-dummy-ui-patch.json"), in: root)
        #expect(receipt.status == .applied)
        #expect(readText(root + "/tmp_test_target.tsx") == "<View>\n  <Text>✅ PATCHED</Text>\n</View>\n")
        // Run again, the pattern matches nowhere: `no_match`, with the hint that the text is already there
        // (ghost apply keeps no receipts to prove it was this patch; ghost serve answers `duplicate`).
        let again = try await runPatch(try fixtureText("v1-dummy-ui-patch.json"), in: root)
        #expect(again.status == .failed)
        #expect(again.reason == .noMatch)
        #expect(again.message?.contains("already present at line 2") == true)
    }

    @Test func mutationsInPatchWithAliasForTmp() async throws {
        let root = try makeTempFolder()
        let receipt = try await runPatch(try fixtureText("v1-mutations-in-patch.json"), in: root, aliases: ["/tmp"], options: shellAllowed)
        #expect(receipt.status == .applied)
        #expect(readText(root + "/test-patch-result.json")?.contains("\"pipeline\": \"working\"") == true)
        #expect(receipt.steps.map(\.stdoutTail) == ["Test patch executed successfully\n", "Pipeline verification complete\n"])
    }

    @Test func absolutePathsWithoutAnAliasAreRefused() async throws {
        let root = try makeTempFolder()
        for name in ["v1-mutations-in-patch.json", "v2-simple-mutations.json", "v2-hardened-upsert-shell.json"] {
            let receipt = try await runPatch(try fixtureText(name), in: root, options: shellAllowed)
            #expect(receipt.reason == .pathOutsideWorkspace, "\(name)")
        }
        #expect(listing(root).isEmpty)
    }

    @Test func routerBlockID() async throws {
        let root = try makeTempFolder()
        let receipt = try await runPatch(try fixtureText("v2-router-blockid.json"), in: root)
        #expect(receipt.id == "test-patch-v347")
        #expect(readText(root + "/foo/bar/baz.js") == "console.log('patched')")
    }

    @Test func simpleMutationsWithShellPhases() async throws {
        let root = try makeTempFolder()
        let receipt = try await runPatch(try fixtureText("v2-simple-mutations.json"), in: root, aliases: ["/tmp"], options: shellAllowed)
        #expect(receipt.status == .applied)
        #expect(readText(root + "/simple-test.log") == "Simple test completed at $(date)\n")
        #expect(receipt.steps.count == 2)
    }

    /// The seed's shell-string patch: its role is not a GhostRunner role, its `patch` is a command line,
    /// so it runs as a shell step between the pre-commit and post-build phases. Its last post-build
    /// command has unbalanced quotes (`cut -d" -f4)'`), a syntax error in sh and zsh alike: the
    /// patch fails there with the shell's own message, after every earlier step ran in order.
    @Test func shellStringPatchRunsAsShellInPhaseOrder() async throws {
        let root = try makeTempFolder()
        let receipt = try await runPatch(try fixtureText("v1-shell-string-patch.json"), in: root, options: shellAllowed)
        #expect(receipt.reason == .commandFailed)
        #expect(receipt.message?.contains("cut -d\" -f4") == true)
        #expect(receipt.steps.last?.stderrTail.contains("Syntax error") == true)
        #expect(receipt.steps.last?.exitCode == 2)
        let phases = receipt.steps.map(\.phase)
        #expect(
            phases == [.preValidation, .preValidation, .preValidation, .preValidation, .mutation, .postBuild, .postBuild, .postBuild, .postBuild]
        )
        #expect(receipt.steps.first?.stdoutTail.contains("Pre-commit") == true)
        #expect(receipt.steps[4].command.hasPrefix("echo 'GPT interface test completed successfully"))
        #expect(receipt.steps[4].exitCode == 0)
        let refused = try await runPatch(try fixtureText("v1-shell-string-patch.json"), in: root)
        #expect(refused.reason == .shellDisabled)
        #expect(refused.steps.isEmpty)
    }

    /// The hardened block writes four files with modes, then runs post-build and validate steps. Its
    /// post-build steps name /Users/sawyer paths (they end in `|| true`; the `mkdir -p` may create
    /// that empty folder on the test machine). Validate runs scripts/ci/validate_success.js.
    @Test func hardenedUpsertWithValidateAndRollback() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/scripts/ci/validate_success.js", "process.exit(0)\n")
        let fixture = try fixtureText("v2-hardened-upsert-shell.json")
        let receipt = try await runPatch(fixture, in: root, aliases: ["/Users/sawyer/gitSync"], options: shellAllowed)
        #expect(receipt.status == .applied, "\(receipt.message ?? "")")
        #expect(mode(root + "/gpt-cursor-runner/scripts/patch-executor.js") == 0o755)
        #expect(mode(root + "/gpt-cursor-runner/scripts/config/patch-queue.json") == 0o644)
        #expect(receipt.files.count == 4)

        let failing = try makeTempFolder()
        try writeFile(failing + "/scripts/ci/validate_success.js", "process.exit(2)\n")
        let rolledBack = try await runPatch(fixture, in: failing, aliases: ["/Users/sawyer/gitSync"], options: shellAllowed)
        #expect(rolledBack.reason == .commandFailed)
        #expect(listing(failing) == ["scripts", "scripts/ci", "scripts/ci/validate_success.js"])
    }
}
