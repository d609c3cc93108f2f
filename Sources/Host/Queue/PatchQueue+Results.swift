import ApplierAPI
import Foundation

/// Results: waiting for a receipt, looking one up, the queue's status.
extension PatchQueue {
    /// What the queue knows of an id.
    enum Lookup: Sendable {
        /// Finished: its receipt.
        case finished(Receipt)
        /// Not finished: `queued` or `applying` (or `finished` when its receipt cannot be read).
        case inProgress(state: String)
    }

    /// The receipt once the patch has finished, waiting at most `timeout`.
    func waitForReceipt(id: String, timeout: Duration) async -> Receipt? {
        guard let state = ledger.state(of: id) else { return finishedReceipt(id: id) }
        if case .finished(let url, _) = state {
            guard let receipt = spool.receipt(at: url) else { return nil }
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
    func lookup(id: String) -> Lookup? {
        guard let entryState = ledger.state(of: id) else { return finishedReceipt(id: id).map(Lookup.finished) }
        switch entryState {
        case .finished(let url, _): return spool.receipt(at: url).map(Lookup.finished) ?? .inProgress(state: "finished")
        case .reserving, .queued: return .inProgress(state: "queued")
        case .applying: return .inProgress(state: "applying")
        }
    }

    /// Whether the queue holds `id` or its history has any run of it, inside the dedup window or not.
    func knows(id: String) throws(ApplyError) -> Bool {
        if ledger.state(of: id) != nil { return true }
        return try store.latest(id: id) != nil
    }

    /// The receipt of a patch the history remembers; `nil` when it does not.
    func finishedReceipt(id: String) -> Receipt? {
        guard let entry = try? store.finished(id: id, now: Date()) else { return nil }
        return store.receipt(of: entry)
    }

    /// Depth, the patch in hand, counts and the last results.
    func status() -> JSONValue {
        var object: [String: JSONValue] = [
            "dir": .string(config.directory.path),
            "workspace": .string(config.workspace.path),
            "depth": .number(Double(depth)),
            "paused": .bool(isPaused),
            "in_hand": inHand.map(JSONValue.string) ?? .null,
            "recent": .array(recent),
        ]
        if !crashedAtStart.isEmpty { object["crashed_host"] = .array(crashedAtStart.map(JSONValue.string)) }
        if !suspects.isEmpty { object["applied_alone_after_death"] = .number(Double(suspects.count)) }
        object["counts"] = .object(Dictionary(uniqueKeysWithValues: tallies.map { ($0.key.rawValue, .number(Double($0.value))) }))
        return .object(object)
    }

    /// What the alert monitor needs to know; the failures it is handed are not handed again.
    func alertFacts() -> AlertRules.QueueFacts {
        defer { unreportedFailures = [] }
        return AlertRules.QueueFacts(
            oldestQueuedAt: ledger.unfinished(limit: 1).first?.receivedAt,
            paused: isPaused,
            newFailures: unreportedFailures,
            poisonPatches: crashedAtStart
        )
    }
}
