import ApplierAPI
import Appliers
import Foundation
import GhostTesting
import Testing

@testable import Host

/// Staged and backup files are named after their file: two long names that share their first 100 bytes
/// must not share one.
@Suite struct SideNameTests {
    @Test func twoLongNamesSharingTheirFirstHundredBytesAreBothWritten() async throws {
        let root = try makeTempFolder("long")
        let stem = String(repeating: "A", count: 100)
        let block = #"{"blockId": "long", "mutations": [{"path": "src/\#(stem)1", "contents": "one"}, {"path": "src/\#(stem)2", "contents": "two"}]}"#
        let runner = PatchRunner(registry: .builtIn())
        let receipt = await runner.run(try Patch.parse(json: Array(block.utf8)), in: try Workspace(root: root), options: RunOptions())
        #expect(receipt.status == .applied, "\(receipt.message ?? "")")
        #expect(readText(root + "/src/\(stem)1") == "one")
        #expect(readText(root + "/src/\(stem)2") == "two")
        #expect(Workspace.sideName(stem + "1", tag: "7", backup: false) != Workspace.sideName(stem + "2", tag: "7", backup: false))
        #expect(Workspace.sideName("App.tsx", tag: "7", backup: true) == ".App.tsx.ghost-7.orig")
    }
}
