import ApplierAPI
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Transport

/// Results: waiting for a receipt, looking one up, the queue's status.
extension PatchQueue {
    // MARK: Results

    /// The receipt once the patch has finished, waiting at most `timeout`.
    func waitForReceipt(id: String, timeout: Duration) async -> JSONValue? {
        guard let state = ledger.state(of: id) else { return finishedReceipt(id: id) }
        if case .finished(let url, _) = state {
            guard let receipt = try? JSONParser.parse(spool.read(url)) else { return nil }
            // Filed but not durable yet: handed over after the checkpoint the executor is about to run.
            guard receiptWaiters.isUnsynced(id), !closed else { return receipt }
            receiptWaiters.hold(id, receipt: receipt)
        }
        if closed { return nil }
        let token = UUID()
        let expiry = Task {
            try? await Task.sleep(for: timeout)
            self.expire(id: id, token: token)
        }
        defer { expiry.cancel() }
        return await withCheckedContinuation { continuation in
            receiptWaiters.add(id, token: token, continuation)
        }
    }

    func expire(id: String, token: UUID) {
        receiptWaiters.expire(id, token: token)
    }

    /// The receipt of a finished patch, or its state; `nil` when the id is unknown here.
    func lookup(id: String) -> JSONValue? {
        guard let entryState = ledger.state(of: id) else { return finishedReceipt(id: id) }
        let state: String
        switch entryState {
        case .finished(let url, _):
            if let receipt = try? JSONParser.parse(spool.read(url)) { return receipt }
            state = "finished"
        case .reserving, .queued: state = "queued"
        case .applying: state = "applying"
        }
        return ["id": .string(id), "queue": .string(config.name), "status": .string(state)]
    }

    /// The receipt of a patch the history remembers; `nil` when it does not.
    func finishedReceipt(id: String) -> JSONValue? {
        guard let entry = try? store.finished(id: id, now: Date()) else { return nil }
        return store.receipt(of: entry)
    }

    /// Depth, the patch in hand, counts and the last results.
    func status() -> JSONValue {
        var object: [String: JSONValue] = [
            "dir": .string(config.directory.path),
            "workspace": .string(config.workspace.path),
            "depth": .number(Double(depth)),
            "in_hand": inHand.map(JSONValue.string) ?? .null,
            "recent": .array(recent),
        ]
        if !crashedAtStart.isEmpty { object["crashed_host"] = .array(crashedAtStart.map(JSONValue.string)) }
        if !suspects.isEmpty { object["applied_alone_after_death"] = .number(Double(suspects.count)) }
        object["counts"] = .object(tallies.mapValues { .number(Double($0)) })
        return .object(object)
    }
}
