import ApplierAPI
import Appliers
import Foundation
import GhostTesting
import Host
import Synchronization
import Testing

/// The runner gives every operation of a patch the run's limits and one shared regex budget; the regex
/// attacks sent through it stop with their reason and leave the files as they were.
@Suite struct PatchBudgetTests {
    /// What a probe role saw of its context, in order.
    final class Sightings: Sendable {
        let seen = Mutex<[(budget: ObjectIdentifier, limits: PatchLimits, remaining: Duration)]>([])
    }

    /// A role that notes its context and spends 100 ms of the regex budget (by charging it, not by waiting).
    struct Probe: ContentApplier {
        let descriptor = RoleDescriptor(name: "probe", summary: "test: records its context")
        let sightings: Sightings
        func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
            sightings.seen.withLock { $0.append((ObjectIdentifier(context.regexBudget), context.limits, context.regexBudget.remaining)) }
            context.regexBudget.charge(.milliseconds(100))
            return ContentResult(changes: [])
        }
    }

    @Test func everyOperationOfAPatchGetsTheRunsLimitsAndOneBudget() async throws {
        let root = try makeTempFolder()
        let sightings = Sightings()
        var registry = ApplierRegistry.builtIn()
        registry.register(Probe(sightings: sightings))
        let limits = PatchLimits(maxFileBytes: 4096, regexMilliseconds: 250)
        let patch = #"{"blockId": "b", "mutations": [{"op": "probe", "path": "a"}, {"op": "probe", "path": "b"}, {"op": "probe", "path": "c"}]}"#
        let receipt = await PatchRunner(registry: registry).run(
            json: Array(patch.utf8),
            in: try Workspace(root: root),
            options: RunOptions(limits: limits)
        )
        #expect(receipt.status != .failed, "\(receipt.message ?? "")")
        let seen = sightings.seen.withLock { $0 }
        #expect(seen.count == 3)
        #expect(Set(seen.map(\.budget)).count == 1)
        #expect(seen.allSatisfy { $0.limits == limits })
        #expect(seen.map(\.remaining) == [.milliseconds(250), .milliseconds(150), .milliseconds(50)])
        // The next patch starts with a fresh budget.
        _ = await PatchRunner(registry: registry).run(json: Array(patch.utf8), in: try Workspace(root: root), options: RunOptions(limits: limits))
        let next = sightings.seen.withLock { $0 }
        #expect(next.count == 6 && next[3].remaining == .milliseconds(250) && next[3].budget != seen[0].budget)
    }

    @Test(.timeLimit(.minutes(1))) func catastrophicBacktrackingOverAFileStopsThePatchWithinItsBudget() async throws {
        let root = try makeTempFolder()
        let text = String(repeating: "aaaaaaaaaaaaaaaaaaaaaa!", count: 2_000) + "b"
        try writeFile(root + "/a.txt", text)
        let receipt = try await runPatch(
            #"{"id": "slow", "role": "ui_patch", "target_file": "a.txt", "patch": {"pattern": "(a+)+b", "replacement": "x"}}"#,
            in: root,
            options: RunOptions(limits: PatchLimits(regexMilliseconds: 200))
        )
        #expect(receipt.status == .failed)
        #expect(receipt.reason == .regexLimit)
        #expect(receipt.message?.contains("budget of 200 ms") == true, "\(receipt.message ?? "")")
        #expect(receipt.message?.contains("the patch was stopped") == true)
        #expect(readText(root + "/a.txt") == text)
        #expect(listing(root) == ["a.txt"])
    }

    @Test(.timeLimit(.minutes(1))) func aReplacementThatWouldGrowToGigabytesStopsAtTheFileLimit() async throws {
        let root = try makeTempFolder()
        let text = String(repeating: "a", count: 3_000)
        try writeFile(root + "/a.txt", text)
        let replacement = String(repeating: "b", count: 1 << 20)
        let receipt = try await runPatch(
            #"{"id": "big", "role": "ui_patch", "target_file": "a.txt", "patch": {"pattern": "a", "replacement": "\#(replacement)"}}"#,
            in: root
        )
        #expect(receipt.status == .failed)
        #expect(receipt.reason == .limitExceeded)
        #expect(receipt.message?.contains("\(64 << 20) bytes") == true, "\(receipt.message ?? "")")
        #expect(readText(root + "/a.txt") == text)
        #expect(listing(root) == ["a.txt"])
    }

    @Test func theSubstitutionItselfStopsAtTheRunsFileLimit() async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/a.txt", String(repeating: "a", count: 50))
        let receipt = try await runPatch(
            #"{"id": "grow", "role": "ui_patch", "target_file": "a.txt", "patch": {"pattern": "a", "replacement": "aaa"}}"#,
            in: root,
            options: RunOptions(limits: PatchLimits(maxFileBytes: 100))
        )
        #expect(receipt.reason == .limitExceeded)
        // Stopped by the applier, at the run's limit, not after building the whole result.
        #expect(receipt.message?.contains("result of the substitution would be larger than 100 bytes") == true, "\(receipt.message ?? "")")
        #expect(readText(root + "/a.txt") == String(repeating: "a", count: 50))
    }
}
