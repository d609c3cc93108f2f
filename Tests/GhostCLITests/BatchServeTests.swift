#if os(Linux)
import ApplierAPI
import Crypto
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// A backlog of content-only patches is applied in batches (one commit for many): the files and receipts
/// must be exactly those of one patch at a time, and a crash while a committed batch's receipts are being
/// filed must leave every patch applied exactly once.
@Suite(.serialized) struct BatchServeTests {
    static let count = 20

    /// A shell step that holds the executor while the patches behind it queue up.
    static let hold = #"{"id":"hold","role":"shell","patch":"sleep 1"}"#

    static func append(_ index: Int) -> String {
        #"{"id":"line-\#(index)","role":"ui_patch","target_file":"log.txt","patch":{"pattern":"\\z","replacement":"line \#(index)\n"}}"#
    }

    static let expected = "start\n" + (0..<count).map { "line \($0)\n" }.joined()

    func prepare() throws -> String {
        let folder = try makeTempFolder("cli")
        try write("queues:\n  default:\n    dir: patches\n    workspace: .\n    shell: true\n", to: folder + "/ghost.yml")
        try write("start\n", to: folder + "/log.txt")
        return folder
    }

    /// Receipts of the line patches by id.
    func lineReceipts(_ folder: String) -> [String: JSONValue] {
        var byID: [String: JSONValue] = [:]
        for receipt in receiptFiles(folder) {
            if let id = receipt["id"]?.stringValue, id.hasPrefix("line-") { byID[id] = receipt }
        }
        return byID
    }

    @Test func aBacklogIsAppliedInBatchesAsIfOneAtATime() async throws {
        let folder = try prepare()
        let host = try await ServeProcess.start(folder: folder)
        #expect(try host.request("POST", "/api/patches", body: Self.hold).status == 202)
        for index in 0..<Self.count { #expect(try host.request("POST", "/api/patches", body: Self.append(index)).status == 202) }
        #expect(await eventually(20) { lineReceipts(folder).count == Self.count })
        await host.stop()

        #expect(readText(folder + "/log.txt") == Self.expected)
        #expect(host.stderr.contains { $0.contains("applying a batch") }, "no batch was formed")
        // Each receipt is its own patch's: its before is the file its predecessor left.
        let receipts = lineReceipts(folder)
        var content = "start\n"
        for index in 0..<Self.count {
            let receipt = receipts["line-\(index)"]
            let before = Array(content.utf8)
            content += "line \(index)\n"
            #expect(receipt?["status"] == "applied")
            #expect(receipt?["files"]?.arrayValue?.first?["before_sha256"]?.stringValue == sha256(before))
            #expect(receipt?["files"]?.arrayValue?.first?["after_sha256"]?.stringValue == sha256(Array(content.utf8)))
            #expect(receipt?["diff"]?.stringValue?.contains("+line \(index)") == true)
        }
    }

    @Test func aCrashWhileABatchIsFiledAppliesEachPatchOnce() async throws {
        guard let strace = FaultInjectionTests.strace else {
            Issue.record("strace is needed: apt-get install strace (.ci/run installs it)")
            return
        }
        let folder = try prepare()
        let port = try freeLoopbackPort()
        // Sequence 1 is the hold patch; the batch starts at 2. Kill when the fifth member's receipt is linked.
        let host = try await ServeProcess.start(
            folder: folder,
            port: port,
            wrapper: [
                strace, "-f", "-qq", "-o", folder + "/strace.log", "-P", folder + "/patches/.ghost/tmp/6.receipt", "-e", "trace=link,linkat",
                "-e", "inject=link,linkat:signal=KILL:when=1",
            ]
        )
        #expect(try host.request("POST", "/api/patches", body: Self.hold).status == 202)
        for index in 0..<Self.count { #expect(try host.request("POST", "/api/patches", body: Self.append(index)).status == 202) }
        #expect(await eventually(20) { !host.process.isRunning })
        await host.stopWrapped()
        let filedBeforeCrash = lineReceipts(folder).count
        #expect(filedBeforeCrash > 0 && filedBeforeCrash < Self.count, "the kill came at the wrong moment: \(filedBeforeCrash) filed")

        let again = try await ServeProcess.start(folder: folder, port: port)
        #expect(await eventually(20) { lineReceipts(folder).count == Self.count })
        await again.stop()
        #expect(readText(folder + "/log.txt") == Self.expected)
        let receipts = lineReceipts(folder)
        #expect(receipts.values.allSatisfy { $0["status"] == "applied" })
        #expect(receipts.values.filter { $0["extra"]?["recovered"] == true }.count == Self.count - filedBeforeCrash)
        #expect(receiptFiles(folder).filter { $0["id"]?.stringValue?.hasPrefix("line-") == true }.count == Self.count)
        #expect(files(in: folder).filter { $0.contains(".ghost-") }.isEmpty)
    }
}

func sha256(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}
#endif
