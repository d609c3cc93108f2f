import ApplierAPI
import Foundation
import Testing

@testable import Host

/// An answer waits for the checkpoint that makes its receipt durable, and never longer than that.
@Suite struct ReceiptWaitersTests {
    actor Box {
        var waiters = ReceiptWaiters()
        var answers: [String: Receipt.Status?] = [:]

        func wait(_ id: String, token: UUID = UUID()) async {
            let answer = await withCheckedContinuation { continuation in waiters.add(id, token: token, continuation) }
            answers[id] = .some(answer?.status)
        }

        func run(_ body: (inout ReceiptWaiters) -> Void) { body(&waiters) }
        func waited(_ id: String) -> Bool { waiters.hasWaiters(for: id) }
        func answer(_ id: String) -> Receipt.Status?? { answers[id] }
    }

    static func receipt(_ status: Receipt.Status) -> Receipt {
        Receipt(id: "p", role: "ui_patch", queue: "main", source: .http, status: status, receivedAt: Date())
    }

    /// Returns once someone waits for `id` in `box`.
    func settle(_ box: Box, _ id: String) async {
        while await !box.waited(id) { await Task.yield() }
    }

    @Test func aFiledReceiptIsHandedOverOnlyAtTheCheckpoint() async {
        let box = Box()
        let waiting = Task { await box.wait("p1") }
        await settle(box, "p1")
        await box.run { $0.finished("p1", receipt: Self.receipt(.applied), filedToDisk: true) }
        for _ in 0..<50 { await Task.yield() }
        #expect(await box.answer("p1") == nil)
        await box.run { #expect($0.isUnsynced("p1")) }
        await box.run { waiters in
            #expect(waiters.holdsReceipts)
            waiters.synced(waiters.filedSinceCheckpoint)
        }
        await waiting.value
        #expect(await box.answer("p1") == .some(.applied))
        await box.run { #expect(!$0.holdsReceipts && !$0.isUnsynced("p1")) }
    }

    /// A receipt that could not be filed will never be durable: it is handed over at once.
    @Test func aReceiptThatCouldNotBeFiledIsHandedOverAtOnce() async {
        let box = Box()
        let waiting = Task { await box.wait("p2") }
        await settle(box, "p2")
        await box.run { $0.finished("p2", receipt: Self.receipt(.failed), filedToDisk: false) }
        await waiting.value
        #expect(await box.answer("p2") == .some(.failed))
    }

    @Test func anExpiredWaitAndAClosedQueueAnswerNothing() async {
        let box = Box()
        let token = UUID()
        let expiring = Task { await box.wait("p3", token: token) }
        let closing = Task { await box.wait("p4") }
        await settle(box, "p3")
        await settle(box, "p4")
        await box.run { $0.expire("p3", token: token) }
        await expiring.value
        #expect(await box.answer("p3") == .some(nil))
        await box.run { $0.closeAll() }
        await closing.value
        #expect(await box.answer("p4") == .some(nil))
    }
}
