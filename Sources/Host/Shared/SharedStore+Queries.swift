import ApplierAPI
import Foundation
import PostgresNIO

/// What the API reads from the shared store: receipts, lookups and the fleet's status, the same from any host.
extension SharedStore {
    /// The receipt of the latest run of `id` in `queue`, once filed.
    func receipt(id: String, queue: String) async throws -> JSONValue? {
        let rows = try await query("SELECT receipt FROM ghost_patches WHERE queue = \(queue) AND id = \(id) ORDER BY seq DESC LIMIT 1")
        for try await receipt in rows.decode(String?.self) {
            return receipt.flatMap { try? JSONParser.parse(Array($0.utf8)) }
        }
        return nil
    }

    /// The receipt (or the state) of `id` in the queue that has it, `defaultQueue` first.
    func lookup(id: String, defaultQueue: String) async throws -> JSONValue? {
        let rows = try await query(
            """
            SELECT queue, status, receipt FROM ghost_patches WHERE id = \(id)
            ORDER BY (queue = \(defaultQueue)) DESC, seq DESC LIMIT 1
            """
        )
        for try await (queue, status, receipt) in rows.decode((String, String, String?).self) {
            if let receipt, let json = try? JSONParser.parse(Array(receipt.utf8)) { return json }
            return ["id": .string(id), "queue": .string(queue), "status": .string(status)]
        }
        return nil
    }

    /// Every queue and host of the fleet, and whether a queue with patches waits for an owner that is down.
    func fleetStatus() async throws -> (queues: JSONValue, nodes: JSONValue, healthy: Bool) {
        var queues: [String: JSONValue] = [:]
        var healthy = true
        let rows = try await query(
            """
            SELECT q.name, q.applied_seq, c.next_seq - 1, q.paused, q.pause_reason, l.owner, l.fence, l.lease_until > now(),
                (SELECT count(*) FROM ghost_patches p WHERE p.queue = q.name AND p.status = 'failed')
            FROM ghost_queues q JOIN ghost_counters c ON c.queue = q.name JOIN ghost_leases l ON l.queue = q.name
            """
        )
        for try await (name, applied, last, paused, pauseReason, owner, fence, alive, failed) in rows.decode(
            (String, Int64, Int64, Bool, String?, String, Int64, Bool, Int64).self
        ) {
            let depth = last - applied
            var entry: [String: JSONValue] = [
                "owner": .string(owner), "owner_alive": .bool(alive), "fence": .number(Double(fence)), "depth": .number(Double(depth)),
                "applied_seq": .number(Double(applied)), "last_seq": .number(Double(last)), "paused": .bool(paused),
                "failed": .number(Double(failed)),
            ]
            if let pauseReason, paused { entry["pause_reason"] = .string(pauseReason) }
            if !alive && depth > 0 {
                entry["waiting"] = .string("its owner \(owner) is down: \(depth) acknowledged patches wait in the database")
                healthy = false
            }
            if paused && pauseReason != nil { healthy = false }
            queues[name] = .object(entry)
        }
        var nodes: [String: JSONValue] = [:]
        for try await (name, seen, address) in try await query("SELECT name, seen_at, address FROM ghost_nodes").decode(
            (String, Date, String?).self
        ) {
            nodes[name] = ["seen_at": .string(ISO8601DateFormatter().string(from: seen)), "address": address.map(JSONValue.string) ?? .null]
        }
        return (.object(queues), .object(nodes), healthy)
    }

    /// Pauses or resumes `queue` for every host.
    func setPaused(_ paused: Bool, queue: String) async throws {
        try await write("UPDATE ghost_queues SET paused = \(paused), pause_reason = NULL WHERE name = \(queue)")
    }

    /// Each queue's owner, whether its lease is alive, how many patches wait, and whether it is paused (and
    /// why, when the infrastructure paused it).
    func queueStates() async throws -> [(queue: String, owner: String, alive: Bool, depth: Int64, paused: Bool, pauseReason: String?)] {
        let rows = try await query(
            """
            SELECT q.name, l.owner, l.lease_until > now(), c.next_seq - 1 - q.applied_seq, q.paused, q.pause_reason
            FROM ghost_queues q JOIN ghost_counters c ON c.queue = q.name JOIN ghost_leases l ON l.queue = q.name
            """
        )
        var states: [(queue: String, owner: String, alive: Bool, depth: Int64, paused: Bool, pauseReason: String?)] = []
        for try await state in rows.decode((String, String, Bool, Int64, Bool, String?).self) { states.append(state) }
        return states
    }
}
