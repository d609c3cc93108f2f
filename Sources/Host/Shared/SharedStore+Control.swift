import ApplierAPI
import Foundation
import PostgresNIO
import Transport

/// The operator's calls on the shared store: listing, cancel, retry, and the retention sweep (revert is in
/// `SharedStore+Revert.swift`).
extension SharedStore {
    /// A page of the fleet's patches, newest first by receipt time: `{"patches": [...], "next_cursor": ...}`.
    /// The cursor (`pg1:<microseconds>:<queue>:<seq>`) is where the page ended, so a deep page costs what the
    /// first does.
    func list(_ query: PatchQuery) async throws(ApplyError) -> JSONValue {
        if let status = query.status, !PatchListing.statuses.contains(status) {
            throw ApplyError(.invalidPatch, "status must be one of \(PatchListing.statuses.sorted().joined(separator: ", ")), not '\(status)'")
        }
        var after: (micros: Int64, queue: String, seq: Int64)?
        if let cursor = query.cursor {
            let parts = cursor.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0] == "pg1", let micros = Int64(parts[1]), let seq = Int64(parts[3]) else {
                throw ApplyError(.invalidPatch, "the cursor '\(cursor)' is not one this host gave out")
            }
            after = (micros, String(parts[2]), seq)
        }
        // Queued patches show as queued (the one being applied is not told apart from the database).
        let status = query.status == "applying" ? "queued" : query.status
        let sinceMicros = query.since.map { Int64($0.timeIntervalSince1970 * 1_000_000) }
        var items: [JSONValue] = []
        var last: (Int64, String, Int64)?
        do {
            let rows = try await self.query(
                """
                SELECT queue, seq, id, status, source, attempt, role, reason, applied_by,
                    (extract(epoch FROM received_at) * 1000000)::int8, (extract(epoch FROM finished_at) * 1000000)::int8
                FROM ghost_patches
                WHERE (\(query.queue)::text IS NULL OR queue = \(query.queue))
                    AND (\(status)::text IS NULL OR status = \(status))
                    AND (\(query.reason)::text IS NULL OR reason = \(query.reason))
                    AND (\(query.role)::text IS NULL OR role = \(query.role))
                    AND (\(query.idContains)::text IS NULL OR strpos(id, \(query.idContains)) > 0)
                    AND (\(sinceMicros)::int8 IS NULL OR finished_at >= to_timestamp(\(sinceMicros)::float8 / 1000000))
                    AND (\(after?.micros)::int8 IS NULL
                        OR (received_at, queue, seq) < (to_timestamp(\(after?.micros)::float8 / 1000000), \(after?.queue), \(after?.seq)))
                ORDER BY received_at DESC, queue DESC, seq DESC
                LIMIT \(Int64(query.limit))
                """
            )
            for try await (queue, seq, id, state, source, attempt, role, reason, appliedBy, received, finished) in rows.decode(
                (String, Int64, String, String, String, Int32, String?, String?, String?, Int64, Int64?).self
            ) {
                var item: [String: JSONValue] = [
                    "id": .string(id), "queue": .string(queue), "status": .string(state), "source": .string(source),
                    "attempt": .number(Double(attempt)), "sequence": .number(Double(seq)),
                    "received_at": .string(Receipt.timestamp(Date(timeIntervalSince1970: Double(received) / 1_000_000))),
                ]
                if let finished { item["finished_at"] = .string(Receipt.timestamp(Date(timeIntervalSince1970: Double(finished) / 1_000_000))) }
                if let role { item["role"] = .string(role) }
                if let reason { item["reason"] = .string(reason) }
                if let appliedBy { item["applied_by"] = .string(appliedBy) }
                items.append(.object(item))
                last = (received, queue, seq)
            }
        } catch {
            throw SharedStore.unavailable(error)
        }
        let more = items.count == query.limit
        return [
            "patches": .array(items),
            "next_cursor": more ? last.map { JSONValue.string("pg1:\($0.0):\($0.1):\($0.2)") } ?? .null : .null,
        ]
    }

    /// A patch's run: its row.
    struct Run {
        var queue: String
        var seq: Int64
        var status: String
        var item: IntakeItem
    }

    /// The latest run of `id`, the default queue first.
    func latestRun(id: String, defaultQueue: String) async throws -> Run? {
        let rows = try await query(
            """
            SELECT queue, seq, status, body, source, received_at, content_sha256, name, role FROM ghost_patches WHERE id = \(id)
            ORDER BY (queue = \(defaultQueue)) DESC, seq DESC LIMIT 1
            """
        )
        for try await (queue, seq, status, body, source, receivedAt, hash, name, role) in rows.decode(
            (String, Int64, String, ByteBuffer, String, Date, String, String, String?).self
        ) {
            let item = IntakeItem(
                id: id,
                hash: hash,
                body: Array(buffer: body),
                source: source,
                name: name,
                role: role ?? "block",
                receivedAt: receivedAt
            )
            return Run(queue: queue, seq: seq, status: status, item: item)
        }
        return nil
    }

    /// Takes the queued patch `id` out of its queue: failed, reason `cancelled`. Waits for the patch in hand
    /// (the queue's row lock); `conflict` once the patch is applied, being applied or finished.
    func cancel(id: String, config: GhostConfig) async throws(ApplyError) -> JSONValue {
        do {
            guard let run = try await latestRun(id: id, defaultQueue: config.defaultQueue) else {
                throw ApplyError(.notFound, "no queue has a patch with id \(id)")
            }
            guard run.status == "queued", let queue = config.queue(named: run.queue) else {
                throw ApplyError(.conflict, "patch \(id) has finished (\(run.status)); only a queued patch can be cancelled")
            }
            let options = queue.runOptions(source: Receipt.Source(rawValue: run.item.source) ?? .http)
            let receipt = Receipt.cancelled(
                try? Patch.parse(json: run.item.body, limits: queue.limits),
                id: id,
                options: options,
                receivedAt: run.item.receivedAt
            )
            let text = String(decoding: receipt.json.serializedBytes, as: UTF8.self)
            let cancelled = try await transaction { connection in
                // The claim holds this lock while it applies: a cancel never races the patch in hand.
                try await self.query("SELECT 1 FROM ghost_queues WHERE name = \(run.queue) FOR UPDATE", on: connection)
                let rows = try await self.query(
                    """
                    UPDATE ghost_patches SET status = 'failed', reason = 'cancelled', finished_at = now(), receipt = \(text)
                    WHERE queue = \(run.queue) AND seq = \(run.seq) AND status = 'queued'
                        AND seq > (SELECT applied_seq FROM ghost_queues WHERE name = \(run.queue))
                    RETURNING seq
                    """,
                    on: connection
                )
                return (try await Self.first(Int64.self)(rows) != nil, true)
            }
            guard cancelled else { throw ApplyError(.conflict, "patch \(id) was applied meanwhile; it cannot be cancelled") }
            return receipt.json
        } catch let error as ApplyError {
            throw error
        } catch {
            throw SharedStore.unavailable(error)
        }
    }

    /// Queues the failed patch `id` again as its next attempt (`conflict` unless its latest run failed).
    func retry(id: String, config: GhostConfig) async throws(ApplyError) -> Acceptance {
        do {
            guard let run = try await latestRun(id: id, defaultQueue: config.defaultQueue) else {
                throw ApplyError(.notFound, "no queue has a patch with id \(id)")
            }
            guard run.status == "failed" else {
                throw ApplyError(.conflict, "patch \(id) did not fail (\(run.status)); only a failed patch is retried")
            }
            var item = run.item
            item.receivedAt = Date()
            guard case .queued(let seq, let attempt) = try await enqueue(queue: run.queue, [item]).first else {
                throw ApplyError(.conflict, "patch \(id) was sent again meanwhile")
            }
            return Acceptance(
                patchID: id,
                queue: run.queue,
                state: .queued,
                filepath: "postgres:\(run.queue)/\(seq)",
                attempt: attempt,
                note: "attempt \(attempt) of \(id)"
            )
        } catch let error as ApplyError {
            throw error
        } catch {
            throw SharedStore.unavailable(error)
        }
    }

    /// Deletes finished patches past their queue's retention (`retention.completed`/`failed`: older than an
    /// age, or past the newest N of their kind in their queue; never inside the dedup window), a thousand rows
    /// per statement so no statement holds locks long.
    /// At most ten batches per queue and status each call, so a backlog never holds up the lease round that
    /// calls it. Returns how many rows went.
    func sweep(_ queues: [QueueConfig]) async throws -> Int {
        var removed = 0
        for queue in queues {
            for (statuses, keep) in [(["applied", "unchanged"], queue.retention.completed), (["failed"], queue.retention.failed)] {
                let seconds: Double
                // The newest sequence a row may have to go: all of them by age; by count, the one past the newest N.
                var cutoff = Int64.max
                switch keep {
                case .forever: continue
                case .age(let age): seconds = Double(max(age, queue.retention.dedupWindow).components.seconds)
                case .count(let count):
                    seconds = Double(queue.retention.dedupWindow.components.seconds)
                    let past = try await self.query(
                        """
                        SELECT seq FROM ghost_patches WHERE queue = \(queue.name) AND status = ANY(\(statuses))
                        ORDER BY seq DESC OFFSET \(Int64(count)) LIMIT 1
                        """
                    )
                    guard let sequence = try await Self.first(Int64.self)(past) else { continue }
                    cutoff = sequence
                }
                for _ in 0..<10 {
                    let count = try await write(
                        """
                        DELETE FROM ghost_patches WHERE ctid = ANY(ARRAY(
                            SELECT ctid FROM ghost_patches
                            WHERE queue = \(queue.name) AND status = ANY(\(statuses)) AND finished_at < now() - make_interval(secs => \(seconds))
                                AND seq <= (SELECT applied_seq FROM ghost_queues WHERE name = \(queue.name))
                                AND seq <= \(cutoff)
                            LIMIT 1000))
                        RETURNING 1
                        """
                    ) { rows in
                        var count = 0
                        for try await _ in rows.decode(Int32.self) { count += 1 }
                        return count
                    }
                    removed += count
                    if count < 1000 { break }
                }
            }
        }
        return removed
    }
}
