import ApplierAPI
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The shared store's database calls (PostgreSQL through postgres-nio's pooled client). Every call counts
/// its round trips, so the cost per patch can be measured (`ghost_db_round_trips_total`).
final class SharedStore: Sendable {
    /// Intake, leases, reads: short statements.
    let client: PostgresClient
    /// The executors' claims, each holding a connection for a whole patch: a pool of their own, so a host
    /// applying many long patches still renews its leases and takes patches.
    let claims: PostgresClient
    /// This host's name in the fleet.
    let node: String
    let logger: Logger
    private let trips = Atomic<Int>(0)

    /// A store on `url`; ``run()`` must run for as long as it is used.
    init(url: PostgresURL, node: String, lease: Duration, claimConnections: Int = 4, logger: Logger) {
        // A session left open in a transaction by a host that stopped (SIGSTOP, a hung disk) holds its queue's
        // row lock: the server ends it after three leases, so a takeover is not blocked forever.
        let idle = Int(lease.components.seconds) * 3_000
        let startup = [("idle_in_transaction_session_timeout", String(idle)), ("application_name", "ghost:\(node)")]
        client = PostgresClient(configuration: url.clientConfiguration(startup: startup, connections: 16), backgroundLogger: logger)
        claims = PostgresClient(
            configuration: url.clientConfiguration(startup: startup, connections: max(claimConnections, 2)),
            backgroundLogger: logger
        )
        self.node = node
        self.logger = logger
    }

    /// Runs both connection pools until the task is cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.claims.run() }
        }
    }

    /// Database round trips so far.
    var roundTrips: Int { trips.load(ordering: .relaxed) }

    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ query: PostgresQuery, on connection: PostgresConnection? = nil) async throws -> PostgresRowSequence {
        trips.add(1, ordering: .relaxed)
        if let connection { return try await connection.query(query, logger: logger) }
        return try await client.query(query, logger: logger)
    }

    /// Runs `body` in a transaction on one connection of `pool` (the intake pool by default), committed when
    /// `body` says so and rolled back otherwise or when it throws; returns once the COMMIT has answered.
    ///
    /// Every write that a caller acknowledges goes through here: PostgreSQL sends a lone statement's rows and
    /// its CommandComplete before it commits that statement's implicit transaction (at the protocol's Sync),
    /// and postgres-nio hands the rows over then, so a server crash (or a failing commit) in between would
    /// lose a write already answered. An explicit COMMIT answers only after the commit is durable.
    func transaction<T: Sendable>(
        on pool: PostgresClient? = nil,
        _ body: (PostgresConnection) async throws -> (value: T, commit: Bool)
    ) async throws -> T {
        try await (pool ?? client).withConnection { connection in
            try await self.query("BEGIN", on: connection)
            do {
                let (value, commit) = try await body(connection)
                try await self.query(commit ? "COMMIT" : "ROLLBACK", on: connection)
                return value
            } catch {
                _ = try? await self.query("ROLLBACK", on: connection)
                throw error
            }
        }
    }

    /// Runs one writing statement in a transaction of its own; `read` takes its rows before the commit, and
    /// what it returns is returned once the commit has answered (see ``transaction(on:_:)``).
    @discardableResult
    func write<T: Sendable>(_ statement: PostgresQuery, read: (PostgresRowSequence) async throws -> T) async throws -> T {
        try await transaction { connection in
            (try await read(try await self.query(statement, on: connection)), true)
        }
    }

    /// Runs one writing statement whose rows nobody reads, in a transaction of its own.
    func write(_ statement: PostgresQuery) async throws {
        try await write(statement) { _ in }
    }

    /// Creates the schema (once, whichever host comes first, and again only for a new ``SharedSchema/version``)
    /// and the rows of `queues`: a queue's first owner is its configured `owner`, else this host.
    func prepare(queues: [QueueConfig]) async throws {
        if try await schemaVersion() < SharedSchema.version {
            try await transaction { connection in
                try await self.query("SELECT pg_advisory_xact_lock(\(SharedSchema.migrationLock))", on: connection)
                // A host that started at the same time may have done it while this one waited for the lock.
                if try await self.schemaVersion(on: connection) >= SharedSchema.version { return ((), true) }
                // The DDL waits for claims holding `ghost_patches`, and intake queues behind it meanwhile: it
                // gives up after two seconds instead, and the caller tries again.
                try await self.query("SET LOCAL lock_timeout = '2s'", on: connection)
                for statement in SharedSchema.statements { try await self.query(PostgresQuery(unsafeSQL: statement), on: connection) }
                try await self.query("DELETE FROM ghost_meta", on: connection)
                try await self.query("INSERT INTO ghost_meta (version) VALUES (\(SharedSchema.version))", on: connection)
                return ((), true)
            }
        }
        let names = queues.map(\.name)
        let owners = queues.map { $0.owner ?? node }
        try await transaction { connection in
            try await self.query("INSERT INTO ghost_queues (name) SELECT unnest(\(names)::text[]) ON CONFLICT DO NOTHING", on: connection)
            try await self.query("INSERT INTO ghost_counters (queue) SELECT unnest(\(names)::text[]) ON CONFLICT DO NOTHING", on: connection)
            try await self.query(
                "INSERT INTO ghost_leases (queue, owner) SELECT * FROM unnest(\(names)::text[], \(owners)::text[]) ON CONFLICT DO NOTHING",
                on: connection
            )
            return ((), true)
        }
    }

    /// The server settings, as this host's sessions see them, under which a committed patch is not durable
    /// when the server crashes (`fsync = off`, `synchronous_commit = off`), as `name = value`.
    func unsafeDurabilitySettings() async throws -> [String] {
        let rows = try await query(
            "SELECT name, setting FROM pg_settings WHERE (name = 'fsync' AND setting = 'off') OR (name = 'synchronous_commit' AND setting = 'off')"
        )
        var unsafe: [String] = []
        for try await (name, setting) in rows.decode((String, String).self) { unsafe.append("\(name) = \(setting)") }
        return unsafe
    }

    /// The schema version the database has; 0 before the first host created it.
    private func schemaVersion(on connection: PostgresConnection? = nil) async throws -> Int {
        let exists = try await query("SELECT to_regclass('ghost_meta') IS NOT NULL", on: connection)
        for try await present in exists.decode(Bool.self) where !present { return 0 }
        let rows = try await query("SELECT COALESCE(max(version), 0) FROM ghost_meta", on: connection)
        for try await version in rows.decode(Int32.self) { return Int(version) }
        return 0
    }

    // MARK: Intake

    /// What intake made of a delivery.
    enum Enqueued: Sendable {
        case queued(sequence: Int64, attempt: Int)
        case duplicate(sequence: Int64, attempt: Int, receipt: String?, name: String)
        case conflict(sequence: Int64)
        case unknownQueue
    }

    /// A delivery, checked and ready to be queued.
    struct IntakeItem: Sendable {
        var id: String
        /// The SHA-256 of its canonical JSON.
        var hash: String
        var body: [UInt8]
        var source: String
        var name: String
        var role: String
        var receivedAt: Date
        /// A sequence number: queue a new attempt even though the id's latest run did not fail, provided that
        /// run is the one at this sequence (a revert run again after an undo). 0: the usual duplicate check.
        var newAttemptAfter: Int64 = 0
    }

    /// Queues patches of one queue in one round trip (``SharedSchema``'s `ghost_enqueue`), in the order
    /// given; each is acknowledged once this returns: the rows are committed.
    func enqueue(queue: String, _ items: [IntakeItem]) async throws -> [Enqueued] {
        try await write(
            """
            SELECT idx, state, seq, attempt, receipt, name FROM ghost_enqueue(\(queue), \(items.map(\.id)), \(items.map(\.hash)),
                \(items.map { ByteBuffer(bytes: $0.body) }), \(items.map(\.source)), \(items.map(\.name)), \(items.map(\.receivedAt)),
                \(node), \(items.map(\.role)), \(items.map(\.newAttemptAfter))::int8[])
            """
        ) { rows in
            var results = [Enqueued](repeating: .unknownQueue, count: items.count)
            for try await (index, state, sequence, attempt, receipt, filed) in rows.decode((Int32, String, Int64, Int32, String?, String?).self) {
                guard index >= 1, Int(index) <= items.count else { continue }
                results[Int(index) - 1] =
                    switch state {
                    case "queued": .queued(sequence: sequence, attempt: Int(attempt))
                    case "duplicate": .duplicate(sequence: sequence, attempt: Int(attempt), receipt: receipt, name: filed ?? "")
                    case "conflict": .conflict(sequence: sequence)
                    default: .unknownQueue
                    }
            }
            return results
        }
    }

    // MARK: Ownership

    /// Records that this host is alive (for the fleet's status page).
    func heartbeat(startedAt: Date, address: String?) async throws {
        try await write(
            """
            INSERT INTO ghost_nodes (name, seen_at, started_at, address) VALUES (\(node), now(), \(startedAt), \(address))
            ON CONFLICT (name) DO UPDATE SET seen_at = now(), started_at = EXCLUDED.started_at, address = EXCLUDED.address
            """
        )
    }

    /// Extends the leases this host holds (`queue → fence`); returns the queues whose lease it still holds.
    func renew(_ held: [String: Int64], lease: Duration) async throws -> Set<String> {
        guard !held.isEmpty else { return [] }
        let queues = Array(held.keys)
        let fences = queues.map { held[$0]! }
        let milliseconds = Int64(lease.components.seconds * 1_000)
        return try await write(
            """
            UPDATE ghost_leases l SET lease_until = now() + make_interval(secs => \(milliseconds)::float8 / 1000)
            FROM unnest(\(queues)::text[], \(fences)::int8[]) AS r(queue, fence)
            WHERE l.queue = r.queue AND l.fence = r.fence AND l.owner = \(node)
            RETURNING l.queue
            """
        ) { rows in
            var kept: Set<String> = []
            for try await queue in rows.decode(String.self) { kept.insert(queue) }
            return kept
        }
    }

    /// Takes the lease of `queue` with a new fence when this host owns it (a restart) or its owner's lease has
    /// run out and this host reaches the queue's workspace (a takeover). Returns the fence, or `nil`.
    func acquire(queue: String, lease: Duration) async throws -> Int64? {
        let milliseconds = Int64(lease.components.seconds * 1_000)
        return try await write(
            """
            UPDATE ghost_leases l SET owner = \(node), fence = l.fence + 1,
                lease_until = now() + make_interval(secs => \(milliseconds)::float8 / 1000)
            WHERE l.queue = \(queue) AND (l.owner = \(node) OR (l.lease_until < now() AND EXISTS (
                SELECT 1 FROM ghost_reach r JOIN ghost_queues q ON q.name = r.queue
                WHERE r.node = \(node) AND r.queue = l.queue AND r.workspace_id = q.workspace_id)))
            RETURNING l.fence
            """,
            read: Self.first(Int64.self)
        )
    }

    /// The id of the queue's workspace the database knows, set to `proposed` when it has none yet (the first
    /// owner's); returns the id that stands.
    func workspaceID(queue: String, proposed: String) async throws -> String {
        // Read first: an update would wait for a claim holding the queue's row lock (a whole patch).
        if let known = try await knownWorkspaceID(queue: queue) { return known }
        let stands = try await write(
            "UPDATE ghost_queues SET workspace_id = COALESCE(workspace_id, \(proposed)) WHERE name = \(queue) RETURNING workspace_id",
            read: Self.first(String.self)
        )
        return stands ?? proposed
    }

    /// Records that this host reaches the workspace `workspaceID` of `queue` (so it may take it over).
    func registerReach(queue: String, workspaceID: String) async throws {
        try await write(
            """
            INSERT INTO ghost_reach (node, queue, workspace_id) VALUES (\(node), \(queue), \(workspaceID))
            ON CONFLICT (node, queue) DO UPDATE SET workspace_id = EXCLUDED.workspace_id
            """
        )
    }

    /// The queue's workspace id as the database knows it (`nil` before its first owner started).
    func knownWorkspaceID(queue: String) async throws -> String? {
        let rows = try await query("SELECT workspace_id FROM ghost_queues WHERE name = \(queue)")
        for try await id in rows.decode(String?.self) { return id }
        return nil
    }

    /// Moves `queue` to `target` (`ghost queue move`): a new fence, so the old owner's next commit is refused.
    /// Throws unless `target` reaches the queue's workspace.
    func move(queue: String, to target: String, lease: Duration) async throws(ApplyError) -> Int64 {
        let milliseconds = Int64(lease.components.seconds * 1_000)
        do {
            // The lease is the target's from now: no other host takes the queue over before the target's next round.
            let fence = try await write(
                """
                UPDATE ghost_leases l SET owner = \(target), fence = l.fence + 1,
                    lease_until = now() + make_interval(secs => \(milliseconds)::float8 / 1000)
                WHERE l.queue = \(queue) AND EXISTS (
                    SELECT 1 FROM ghost_reach r JOIN ghost_queues q ON q.name = r.queue
                    WHERE r.node = \(target) AND r.queue = l.queue AND r.workspace_id = q.workspace_id)
                RETURNING l.fence
                """,
                read: Self.first(Int64.self)
            )
            if let fence { return fence }
        } catch {
            throw SharedStore.unavailable(error)
        }
        throw ApplyError(
            .conflict,
            "\(target) does not reach the workspace of queue \(queue) (or no such queue): a queue moves only to a host that "
                + "has the same workspace folder (shared storage) and has started with it configured"
        )
    }

    /// Reads a statement's first row as one value (`nil` when it has none).
    static func first<T: PostgresDecodable & Sendable>(_ type: T.Type) -> (PostgresRowSequence) async throws -> T? {
        { rows in
            for try await value in rows.decode(T.self) { return value }
            return nil
        }
    }

    /// An error of the database as the host answers it: `unavailable` (HTTP 503), nothing was queued.
    static func unavailable(_ error: any Error) -> ApplyError {
        if let error = error as? ApplyError { return error }
        let detail = (error as? PSQLError).map { String(reflecting: $0) } ?? "\(error)"
        return ApplyError(.unavailable, "the shared store (PostgreSQL) is unreachable: \(detail.prefix(300))")
    }
}
