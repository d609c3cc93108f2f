import ApplierAPI
import Appliers
import Foundation
import GhostTesting
import Testing

@testable import Host

/// The file content one patch may hold at once is bounded (4 × the file limit), so many large files
/// cannot add up to unbounded memory; a batch splits instead of failing members that fit alone.
@Suite struct HeldBytesTests {
    let limits = PatchLimits(maxFileBytes: 1000)

    private func writes(_ id: String, files: Range<Int>, prefix: String = "f") -> String {
        let content = String(repeating: "x", count: 900)
        let mutations = files.map { #"{"op": "upsert", "path": "\#(prefix)\#($0).txt", "contents": "\#(content)"}"# }
        return #"{"blockId": "\#(id)", "mutations": [\#(mutations.joined(separator: ","))]}"#
    }

    @Test func aPatchWritingManyFilesThatAddUpPastTheBoundFailsAndWritesNothing() async throws {
        let root = try makeTempFolder("held")
        let runner = PatchRunner(registry: .builtIn())
        let patch = try Patch.parse(json: Array(writes("many", files: 0..<5).utf8))
        let receipt = await runner.run(patch, in: try Workspace(root: root), options: RunOptions(limits: limits))
        #expect(receipt.status == .failed)
        #expect(receipt.reason == .limitExceeded)
        #expect(receipt.message?.contains("4 × limits.max_file_bytes") == true)
        #expect(listing(root).isEmpty)
        // Four files fit.
        let fits = try Patch.parse(json: Array(writes("four", files: 0..<4).utf8))
        #expect(await runner.run(fits, in: try Workspace(root: root), options: RunOptions(limits: limits)).status == .applied)
    }

    @Test func aBatchPastTheBoundCommitsInPartsAndAppliesEveryMember() async throws {
        let root = try makeTempFolder("held-batch")
        let spool = try makeTempFolder("held-spool")
        let log = IntentLog(url: URL(fileURLWithPath: spool + "/intent.log"))
        try log.prepare()
        let runner = PatchRunner(registry: .builtIn())
        let members = try (0..<6).map { index in
            PatchRunner.BatchMember(
                patch: try Patch.parse(json: Array(writes("m\(index)", files: index..<(index + 1)).utf8)),
                sequence: UInt64(20 + index),
                options: RunOptions(limits: limits),
                receivedAt: Date()
            )
        }
        let receipts = await runner.run(members, in: try Workspace(root: root), intent: IntentContext(log: log, sequence: 20, id: "m0"))
        #expect(receipts.map(\.status) == Array(repeating: .applied, count: 6))
        #expect(receipts.map(\.id) == (0..<6).map { "m\($0)" })
        for index in 0..<6 { #expect(readText(root + "/f\(index).txt")?.count == 900) }
    }
}
