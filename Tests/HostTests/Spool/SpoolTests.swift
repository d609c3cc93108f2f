import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import Host

/// The queue's folder without a host: filing never replaces a file, an inbox file leaves the inbox, and a
/// journaled patch's receipt is found again by its name, id, content hash and attempt.
@Suite struct SpoolTests {
    func spool() throws -> Spool {
        let spool = Spool(directory: URL(fileURLWithPath: try makeTempFolder("spool") + "/patches"))
        try spool.prepare()
        return spool
    }

    func receipt(_ id: String, hash: String, attempt: Int = 1, status: Receipt.Status = .applied) -> [UInt8] {
        var receipt = Receipt(id: id, role: "ui_patch", queue: "q", source: .http, status: status, receivedAt: Date())
        receipt.contentSHA256 = hash
        receipt.attempt = attempt
        return Array(receipt.json.serialized.utf8)
    }

    func pending(_ id: String, name: String, hash: String = "h", attempt: Int = 1) -> PendingPatch {
        PendingPatch(sequence: 1, source: .http, name: name, id: id, contentHash: hash, receivedAt: Date(), attempt: attempt)
    }

    /// Two patches filed under one name get the name and its first free variant; nothing is replaced.
    @Test func filingTakesAFreeVariantAndNeverReplaces() throws {
        let spool = try spool()
        let first = try spool.finish(.bytes(Array("one".utf8)), name: "fix.json", receipt: receipt("a", hash: "1"), into: .completed)
        let second = try spool.finish(.bytes(Array("two".utf8)), name: "fix.json", receipt: receipt("b", hash: "2"), into: .completed)
        #expect(first.patch.lastPathComponent == "fix.json")
        #expect(first.receipt.lastPathComponent == "fix.receipt.json")
        #expect(second.patch.lastPathComponent == "fix-2.json")
        #expect(readText(first.patch.path) == "one")
        #expect(readText(second.patch.path) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool.temporary.path).isEmpty)
    }

    /// An inbox file is moved (it leaves the inbox), into `.failed/` when the outcome says so.
    @Test func anInboxFileLeavesTheInbox() throws {
        let spool = try spool()
        let inbox = spool.directory.appendingPathComponent("drop.json")
        try write("{}", to: inbox.path)
        let placed = try spool.finish(.file(inbox), name: "drop.json", receipt: receipt("d", hash: "h", status: .failed), into: .failed)
        #expect(!FileManager.default.fileExists(atPath: inbox.path))
        #expect(placed.patch.path == spool.failed.appendingPathComponent("drop.json").path)
        #expect(readText(placed.patch.path) == "{}")
    }

    /// At start, a journaled patch's receipt is found under its name's variants, in either folder, and only
    /// when id, content hash and attempt all match.
    @Test func aJournaledPatchsReceiptIsFoundOnlyWhenItIsItsOwn() throws {
        let spool = try spool()
        try spool.finish(.bytes([]), name: "x.json", receipt: receipt("other", hash: "h"), into: .completed)
        try spool.finish(.bytes([]), name: "x.json", receipt: receipt("p", hash: "old", attempt: 1), into: .completed)
        try spool.finish(.bytes([]), name: "x.json", receipt: receipt("p", hash: "h", attempt: 2, status: .failed), into: .failed)
        let found = try #require(spool.filedReceipt(of: pending("p", name: "x.json", hash: "h", attempt: 2)))
        #expect(found.url.path == spool.failed.appendingPathComponent("x.receipt.json").path)
        #expect(found.receipt.status == .failed)
        #expect(spool.filedReceipt(of: pending("p", name: "x.json", hash: "h", attempt: 1)) == nil)
        #expect(spool.filedReceipt(of: pending("p", name: "x.json", hash: "new", attempt: 2)) == nil)
        #expect(spool.filedReceipt(of: pending("q", name: "y.json")) == nil)
    }

    /// Retention may have removed lower variants since the name was claimed: gaps are passed over.
    @Test func aReceiptPastAGapInTheVariantsIsFound() throws {
        let spool = try spool()
        for n in 1...5 { try spool.finish(.bytes([]), name: "g.json", receipt: receipt("old-\(n)", hash: "h"), into: .completed) }
        try spool.finish(.bytes([]), name: "g.json", receipt: receipt("mine", hash: "h"), into: .completed)
        for n in 1...5 { unlink(spool.completed.appendingPathComponent(SpoolName.receipt(for: SpoolName.variant("g.json", attempt: n))).path) }
        let found = try #require(spool.filedReceipt(of: pending("mine", name: "g.json")))
        #expect(found.url.lastPathComponent == "g-6.receipt.json")
    }

    @Test func namesAreSafeAndNeverLookLikeReceipts() {
        #expect(SpoolName.normalized("../../etc/passwd") == "_.._etc_passwd.json")
        #expect(SpoolName.normalized("a.receipt.json") == "a.receipt-patch.json")
        #expect(SpoolName.normalized(".hidden") == "hidden.json")
        #expect(SpoolName.patch(forReceipt: SpoolName.receipt(for: "n-2.json")) == "n-2.json")
        #expect(SpoolName.digits(7, 3) == "007")
    }
}
