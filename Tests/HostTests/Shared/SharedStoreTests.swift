import ApplierAPI
import Appliers
import Foundation
import GhostTesting
import Logging
import PostgresNIO
import Supervision
import Testing
import Transport

@testable import Host

/// A database of its own for one test, on the cluster `$GHOST_TEST_DATABASE_URL` names (started by
/// `scripts/with-postgres.sh`, which the README's test command runs under).
enum TestDatabase {
    static func make() async throws -> String {
        guard let base = ProcessInfo.processInfo.environment["GHOST_TEST_DATABASE_URL"], let url = PostgresURL(base) else {
            throw SetupError(message: "$GHOST_TEST_DATABASE_URL is not set: run the tests as the README says (scripts/with-postgres.sh swift test)")
        }
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(24)
        let store = SharedStore(url: url, node: "setup", lease: .seconds(10), logger: Logger(label: "test"))
        try await running(store) { try await store.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)")) }
        let path = base.range(of: "/", options: .backwards)!
        return base[..<path.lowerBound] + "/" + name
    }

    /// Runs `body` while the store's pool runs.
    static func running<T: Sendable>(_ store: SharedStore, _ body: () async throws -> T) async throws -> T {
        let pool = Task { await store.run() }
        defer { pool.cancel() }
        return try await body()
    }
}

/// The shared store's intake, claim, fences, cancel and move against a real PostgreSQL.
struct SharedStoreTests {
    let logger = Logger(label: "test")

    func patch(_ id: String, token: String? = nil) -> [UInt8] {
        Array(#"{"id":"\#(id)","role":"ui_patch","target_file":"log.txt","patch":{"pattern":"END","replacement":"\#(token ?? id) END"}}"#.utf8)
    }

    func enqueue(_ store: SharedStore, _ id: String, token: String? = nil, queue: String = "main") async throws -> SharedStore.Enqueued {
        let body = patch(id, token: token)
        let item = SharedStore.IntakeItem(
            id: id,
            hash: Digest.sha256(body),
            body: body,
            source: "http",
            name: "\(id).json",
            role: "ui_patch",
            receivedAt: Date()
        )
        return try await store.enqueue(queue: queue, [item])[0]
    }

    /// A queue `main` whose workspace holds `log.txt` = "END\n", owned by `store`'s node with a fresh fence.
    func ownedQueue(_ store: SharedStore) async throws -> (SharedExecutor, QueueConfig, WorkspaceMarker) {
        let root = try makeTempFolder()
        try write("END\n", to: root + "/log.txt")
        let config = QueueConfig(
            name: "main",
            directory: URL(fileURLWithPath: root + "/spool"),
            workspace: URL(fileURLWithPath: root),
            owner: store.node
        )
        try await store.prepare(queues: [config])
        let fence = try #require(try await store.acquire(queue: "main", lease: .seconds(10)))
        let marker = WorkspaceMarker(workspace: config.workspace, queue: "main")
        let id = try marker.prepare()
        #expect(try await store.workspaceID(queue: "main", proposed: id) == id)
        try await store.registerReach(queue: "main", workspaceID: id)
        try marker.takeFence(fence)
        let executor = SharedExecutor(
            config: config,
            store: store,
            // The host's own reserved paths, as `ghost serve` computes them (the marker folder among them).
            workspace: try Workspace(
                root: root,
                reserved: GhostConfig(http: .init(), defaultQueue: "main", queues: [config], origin: "test")
                    .reservedPaths(currentDirectory: URL(fileURLWithPath: root))
            ),
            marker: marker,
            runner: PatchRunner(registry: .builtIn()),
            fence: fence,
            wakeup: QueueWakeup(),
            poll: .seconds(1),
            claimTimeout: .seconds(30),
            health: HealthBoard(),
            logger: logger
        )
        return (executor, config, marker)
    }

    func row(_ store: SharedStore, _ seq: Int64) async throws -> (status: String, receipt: String?) {
        for try await (status, receipt) in try await store.query("SELECT status, receipt FROM ghost_patches WHERE queue = 'main' AND seq = \(seq)")
            .decode((String, String?).self)
        {
            return (status, receipt)
        }
        throw SetupError(message: "no row \(seq)")
    }

    /// The ids of every row, in sequence order.
    func ids(_ store: SharedStore) async throws -> [String] {
        var ids: [String] = []
        for try await id in try await store.query("SELECT id FROM ghost_patches ORDER BY seq").decode(String.self) { ids.append(id) }
        return ids
    }

    func appliedSeq(_ store: SharedStore) async throws -> Int64 {
        for try await value in try await store.query("SELECT applied_seq FROM ghost_queues WHERE name = 'main'").decode(Int64.self) { return value }
        return -1
    }

    @Test func intakeOrdersByCommitAndTellsDuplicatesFromConflicts() async throws {
        let store = SharedStore(url: PostgresURL(try await TestDatabase.make())!, node: "h1", lease: .seconds(10), logger: logger)
        try await TestDatabase.running(store) {
            try await store.prepare(queues: [
                QueueConfig(name: "main", directory: URL(fileURLWithPath: "/tmp/x"), workspace: URL(fileURLWithPath: "/tmp"))
            ])
            guard case .queued(1, 1) = try await enqueue(store, "a") else {
                Issue.record("a is not queued first")
                return
            }
            guard case .queued(2, 1) = try await enqueue(store, "b") else {
                Issue.record("b is not queued second")
                return
            }
            guard case .duplicate(1, 1, nil, "a.json") = try await enqueue(store, "a") else {
                Issue.record("a again is not a duplicate")
                return
            }
            guard case .conflict(1) = try await enqueue(store, "a", token: "other") else {
                Issue.record("a with other content is no conflict")
                return
            }
            guard case .unknownQueue = try await enqueue(store, "c", queue: "nope") else {
                Issue.record("an unknown queue is taken")
                return
            }
            // A duplicate or a conflict leaves the counter as it was: the next patch is 3.
            guard case .queued(3, 1) = try await enqueue(store, "c") else {
                Issue.record("c is not 3")
                return
            }
        }
    }

    /// PostgreSQL sends a statement's rows before an implicit transaction commits (at the protocol's Sync): a
    /// server that crashes in between, or a commit that fails, would lose a patch already acknowledged. A
    /// deferred trigger that fails the commit stands in for the crash.
    @Test func aPatchIsAcknowledgedOnlyOnceItsCommitHasAnswered() async throws {
        let store = SharedStore(url: PostgresURL(try await TestDatabase.make())!, node: "h1", lease: .seconds(10), logger: logger)
        try await TestDatabase.running(store) {
            try await store.prepare(queues: [
                QueueConfig(name: "main", directory: URL(fileURLWithPath: "/tmp/x"), workspace: URL(fileURLWithPath: "/tmp"))
            ])
            try await store.query(
                """
                CREATE FUNCTION fail_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.id = 'doomed' THEN RAISE EXCEPTION 'the commit fails'; END IF; RETURN NULL; END $$
                """
            )
            try await store.query(
                """
                CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON ghost_patches
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_commit()
                """
            )
            await #expect(throws: (any Error).self) { try await enqueue(store, "doomed") }
            var rows = 0
            for try await count in try await store.query("SELECT count(*) FROM ghost_patches").decode(Int64.self) { rows = Int(count) }
            #expect(rows == 0)
            // The counter did not move either: the next patch is 1.
            guard case .queued(1, 1) = try await enqueue(store, "fine") else {
                Issue.record("the patch after a failed commit is not 1")
                return
            }
        }
    }

    /// A database of version 1 (no `before_images`, version 1's `ghost_enqueue`, from
    /// `Fixtures/shared-schema/`) is upgraded at the next start with its rows kept, and version 1's call
    /// still works for hosts not upgraded yet; a database of a newer version than the host's is left alone.
    @Test func anOlderSchemaIsUpgradedAndANewerOneLeftAlone() async throws {
        let store = SharedStore(url: PostgresURL(try await TestDatabase.make())!, node: "h1", lease: .seconds(10), logger: logger)
        let queues = [QueueConfig(name: "main", directory: URL(fileURLWithPath: "/tmp/x"), workspace: URL(fileURLWithPath: "/tmp"))]
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/shared-schema/v1-ghost_enqueue.sql")
        let versionOne = try String(contentsOf: fixture, encoding: .utf8)
        func version() async throws -> Int32 {
            for try await value in try await store.query("SELECT version FROM ghost_meta").decode(Int32.self) { return value }
            return -1
        }
        /// Queues `id` the way a version 1 host does: the nine-argument call.
        func enqueueAsVersionOne(_ id: String) async throws -> String? {
            let body = ByteBuffer(bytes: patch(id))
            let rows = try await store.query(
                """
                SELECT state FROM ghost_enqueue('main', ARRAY[\(id)], ARRAY[\(Digest.sha256(patch(id)))], ARRAY[\(body)],
                    ARRAY['http'], ARRAY[\(id + ".json")], ARRAY[now()], 'h0', ARRAY['ui_patch'])
                """
            )
            return try await SharedStore.first(String.self)(rows)
        }
        try await TestDatabase.running(store) {
            try await store.prepare(queues: queues)
            try await store.query("DROP FUNCTION ghost_enqueue(text, text[], text[], bytea[], text[], text[], timestamptz[], text, text[])")
            try await store.query(
                "DROP FUNCTION ghost_enqueue(text, text[], text[], bytea[], text[], text[], timestamptz[], text, text[], bigint[])"
            )
            try await store.query(PostgresQuery(unsafeSQL: versionOne))
            try await store.query("ALTER TABLE ghost_patches DROP COLUMN before_images")
            try await store.query("UPDATE ghost_meta SET version = 1")
            #expect(try await enqueueAsVersionOne("old") == "queued")

            try await store.prepare(queues: queues)
            #expect(try await version() == Int32(SharedSchema.version))
            guard case .queued(2, 1) = try await enqueue(store, "new") else {
                Issue.record("intake does not work after the upgrade")
                return
            }
            guard case .duplicate(1, 1, nil, "old.json") = try await enqueue(store, "old") else {
                Issue.record("a row from before the upgrade is lost")
                return
            }
            #expect(try await enqueueAsVersionOne("older") == "queued")
            #expect(try await enqueueAsVersionOne("new") == "duplicate")

            try await store.query("UPDATE ghost_meta SET version = 99")
            try await store.prepare(queues: queues)
            #expect(try await version() == 99)
        }
    }

    /// With `synchronous_commit = off` a commit answers before its WAL is on disk: the host says so at start.
    @Test func aServerThatCommitsAsynchronouslyIsNamed() async throws {
        let url = try await TestDatabase.make()
        let store = SharedStore(url: PostgresURL(url)!, node: "h1", lease: .seconds(10), logger: logger)
        try await TestDatabase.running(store) {
            let unsafe = try await store.unsafeDurabilitySettings()
            #expect(unsafe == [])
            let database = String(url[url.range(of: "/", options: .backwards)!.upperBound...])
            try await store.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(database) SET synchronous_commit = off"))
        }
        let fresh = SharedStore(url: PostgresURL(url)!, node: "h1", lease: .seconds(10), logger: logger)
        try await TestDatabase.running(fresh) {
            let unsafe = try await fresh.unsafeDurabilitySettings()
            #expect(unsafe == ["synchronous_commit = off"])
        }
    }

    @Test func queuedContentPatchesApplyInSequenceOrderInOneClaim() async throws {
        let store = SharedStore(url: PostgresURL(try await TestDatabase.make())!, node: "h1", lease: .seconds(10), logger: logger)
        try await TestDatabase.running(store) {
            let (executor, config, marker) = try await ownedQueue(store)
            for id in ["p1", "p2", "p3"] { _ = try await enqueue(store, id) }
            // p2 fails on its own (its pattern matches nothing) and changes nothing; the others go on.
            let body = Array(#"{"id":"p4","role":"ui_patch","target_file":"log.txt","patch":{"pattern":"NOPE","replacement":"x"}}"#.utf8)
            _ = try await store.enqueue(
                queue: "main",
                [.init(id: "p4", hash: Digest.sha256(body), body: body, source: "http", name: "p4.json", role: "ui_patch", receivedAt: Date())]
            )
            _ = try await enqueue(store, "p5")
            #expect(try await executor.claim() == .filed)
            #expect(try await executor.claim() == .idle)
            #expect(readText(config.workspace.path + "/log.txt") == "p1 p2 p3 p5 END\n")
            #expect(try await appliedSeq(store) == 5)
            #expect(try await row(store, 3).status == "applied")
            #expect(try await row(store, 4).status == "failed")
            #expect(try await row(store, 4).receipt?.contains("no_match") == true)
            #expect(marker.applied()?.sequence == 5)
            #expect(marker.applied()?.receipts.count == 5)
        }
    }

    @Test func aPatchTheWorkspaceHasBeforeTheDatabaseCommitIsFiledNotAppliedAgain() async throws {
        let store = SharedStore(url: PostgresURL(try await TestDatabase.make())!, node: "h1", lease: .seconds(10), logger: logger)
        try await TestDatabase.running(store) {
            let (executor, config, marker) = try await ownedQueue(store)
            _ = try await enqueue(store, "p1")
            // A host applied p1 and wrote the marker, then died before its commit.
            try write("p1 END\n", to: config.workspace.path + "/log.txt")
            let receipt = #"{"id":"p1","status":"applied","source":"http","received_at":"2026-12-02T00:00:00Z","message":"from the marker"}"#
            try marker.markApplied(.init(sequence: 1, fence: 1, receipt: Array(receipt.utf8)))
            #expect(try await executor.claim() == .filed)
            #expect(readText(config.workspace.path + "/log.txt") == "p1 END\n")
            let filed = try await row(store, 1)
            #expect(filed.status == "applied")
            #expect(filed.receipt == receipt)
            #expect(try await appliedSeq(store) == 1)
        }
    }

    @Test func anOwnerWhoseFenceWasTakenAppliesNothing() async throws {
        let url = try await TestDatabase.make()
        let store = SharedStore(url: PostgresURL(url)!, node: "h1", lease: .seconds(10), logger: logger)
        let other = SharedStore(url: PostgresURL(url)!, node: "h2", lease: .seconds(10), logger: logger)
        try await TestDatabase.running(store) {
            try await TestDatabase.running(other) {
                let (executor, config, marker) = try await ownedQueue(store)
                _ = try await enqueue(store, "p1")
                // The takeover wrote its fence to the workspace; the database has not moved yet.
                try marker.takeFence(executor.fence + 1)
                #expect(try await executor.claim() == .lost)
                #expect(readText(config.workspace.path + "/log.txt") == "END\n")
                #expect(try await row(store, 1).status == "queued")
                // The queue moved in the database (h2 reaches the same folder).
                try marker.takeFence(executor.fence)
                try await other.registerReach(queue: "main", workspaceID: try #require(marker.workspaceID()))
                let fence = try await other.move(queue: "main", to: "h2", lease: .seconds(10))
                #expect(fence == executor.fence + 1)
                #expect(try await executor.claim() == .lost)
                #expect(readText(config.workspace.path + "/log.txt") == "END\n")
                #expect(try await store.renew(["main": executor.fence], lease: .seconds(10)).isEmpty)
                #expect(try await appliedSeq(store) == 0)
            }
        }
    }

    @Test func aQueueMovesOnlyToAHostThatReachesItsWorkspace() async throws {
        let store = SharedStore(url: PostgresURL(try await TestDatabase.make())!, node: "h1", lease: .seconds(10), logger: logger)
        try await TestDatabase.running(store) {
            _ = try await ownedQueue(store)
            await #expect {
                _ = try await store.move(queue: "main", to: "h9", lease: .seconds(10))
            } throws: { error in
                (error as? ApplyError)?.reason == .conflict && "\(error)".contains("does not reach")
            }
            #expect(try await store.renew(["main": 1], lease: .seconds(10)) == ["main"])
        }
    }

    @Test func aCancelledPatchIsSkippedAndACancelAfterItsRunIsAConflict() async throws {
        let store = SharedStore(url: PostgresURL(try await TestDatabase.make())!, node: "h1", lease: .seconds(10), logger: logger)
        try await TestDatabase.running(store) {
            let (executor, config, _) = try await ownedQueue(store)
            _ = try await enqueue(store, "p1")
            _ = try await enqueue(store, "p2")
            let global = GhostConfig(http: .init(), defaultQueue: "main", queues: [config], origin: "test")
            let receipt = try await store.cancel(id: "p1", config: global)
            #expect(receipt["reason"]?.stringValue == "cancelled")
            #expect(try await executor.claim() == .filed)
            #expect(try await executor.claim() == .filed)
            #expect(readText(config.workspace.path + "/log.txt") == "p2 END\n")
            #expect(try await row(store, 1).status == "failed")
            await #expect {
                _ = try await store.cancel(id: "p2", config: global)
            } throws: { error in
                (error as? ApplyError)?.reason == .conflict
            }
            // A failed patch runs again as its next attempt.
            let again = try await store.retry(id: "p1", config: global)
            #expect(again.attempt == 2)
            #expect(try await executor.claim() == .filed)
            #expect(readText(config.workspace.path + "/log.txt") == "p2 p1 END\n")
        }
    }

    /// Revert on the shared store: `revert-<id>` is built from the receipt and the before-images the owner
    /// recorded with it, applied like any patch, refused while queued or once reverted, run again as a new
    /// attempt after an undo; a file changed since makes the revert fail with `conflict`, touching nothing.
    @Test func aRevertPutsTheFilesBackFromTheRecordedBeforeImages() async throws {
        let store = SharedStore(url: PostgresURL(try await TestDatabase.make())!, node: "h1", lease: .seconds(10), logger: logger)
        try await TestDatabase.running(store) {
            let (executor, config, _) = try await ownedQueue(store)
            let global = GhostConfig(http: .init(), defaultQueue: "main", queues: [config], origin: "test")
            let log = config.workspace.path + "/log.txt"
            func refused(_ id: String, _ words: String) async {
                await #expect {
                    _ = try await store.revert(id: id, config: global)
                } throws: { error in
                    (error as? ApplyError)?.reason == .conflict && (error as? ApplyError)?.message.contains(words) == true
                }
            }
            _ = try await enqueue(store, "p1")
            #expect(try await executor.claim() == .filed)
            #expect(readText(log) == "p1 END\n")

            let first = try await store.revert(id: "p1", config: global)
            #expect(first.patchID == "revert-p1")
            #expect(first.attempt == 1)
            await refused("p1", "already queued")
            #expect(try await executor.claim() == .filed)
            #expect(readText(log) == "END\n")
            #expect(try await row(store, 2).status == "applied")
            await refused("p1", "already reverted")

            // Undone (the revert reverted), then reverted again: attempt 2 of revert-p1.
            #expect(try await store.revert(id: "revert-p1", config: global).patchID == "revert-revert-p1")
            #expect(try await executor.claim() == .filed)
            #expect(readText(log) == "p1 END\n")
            let again = try await store.revert(id: "p1", config: global)
            #expect(again.attempt == 2)
            #expect(try await executor.claim() == .filed)
            #expect(readText(log) == "END\n")

            // Changed since: queued (this host may not reach the workspace), then refused where it runs.
            _ = try await enqueue(store, "p2")
            #expect(try await executor.claim() == .filed)
            try write("changed\n", to: log)
            _ = try await store.revert(id: "p2", config: global)
            #expect(try await executor.claim() == .filed)
            #expect(readText(log) == "changed\n")
            let conflict = try await row(store, 6)
            #expect(conflict.status == "failed")
            #expect(conflict.receipt?.contains(#""reason":"conflict""#) == true)

            // A patch that failed changed nothing: there is nothing to revert.
            let body = Array(#"{"id":"bad","role":"ui_patch","target_file":"log.txt","patch":{"pattern":"NOPE","replacement":"x"}}"#.utf8)
            _ = try await store.enqueue(
                queue: "main",
                [.init(id: "bad", hash: Digest.sha256(body), body: body, source: "http", name: "bad.json", role: "ui_patch", receivedAt: Date())]
            )
            #expect(try await executor.claim() == .filed)
            await refused("bad", "nothing of it took effect")
            await #expect {
                _ = try await store.revert(id: "nobody", config: global)
            } throws: { error in
                (error as? ApplyError)?.reason == .notFound
            }
        }
    }

    @Test func retentionDeletesFinishedRowsPastTheirAgeAndNeverInsideTheDedupWindow() async throws {
        let store = SharedStore(url: PostgresURL(try await TestDatabase.make())!, node: "h1", lease: .seconds(10), logger: logger)
        try await TestDatabase.running(store) {
            let (executor, config, _) = try await ownedQueue(store)
            for id in ["old", "recent"] { _ = try await enqueue(store, id) }
            #expect(try await executor.claim() == .filed)
            _ = try await enqueue(store, "waiting")
            try await store.query("UPDATE ghost_patches SET finished_at = now() - interval '3 days' WHERE id = 'old'")
            try await store.query("UPDATE ghost_patches SET finished_at = now() - interval '12 hours' WHERE id = 'recent'")
            var kept = config
            kept.retention = RetentionPolicy(completed: .age(.seconds(3_600)), dedupWindow: .seconds(86_400))
            #expect(try await store.sweep([kept]) == 1)
            let ids = try await self.ids(store)
            // "recent" is past its hour but inside the day-long dedup window; "waiting" has not run.
            #expect(ids == ["recent", "waiting"])
            // The id is forgotten with its row: sent again, it is a new patch.
            guard case .queued(4, 1) = try await enqueue(store, "old") else {
                Issue.record("a forgotten id is not new")
                return
            }
        }
    }

    @Test func retentionByCountKeepsTheNewestOfEachKindOutsideTheDedupWindow() async throws {
        let store = SharedStore(url: PostgresURL(try await TestDatabase.make())!, node: "h1", lease: .seconds(10), logger: logger)
        try await TestDatabase.running(store) {
            let (executor, config, _) = try await ownedQueue(store)
            for id in ["a1", "a2", "a3", "a4", "a5"] { _ = try await enqueue(store, id) }
            #expect(try await executor.claim() == .filed)
            // a5 finished inside the dedup window; the others a day ago.
            try await store.query("UPDATE ghost_patches SET finished_at = now() - interval '2 days' WHERE id <> 'a5'")
            var kept = config
            kept.retention = RetentionPolicy(completed: .count(2), dedupWindow: .seconds(86_400))
            #expect(try await store.sweep([kept]) == 3)
            var ids = try await self.ids(store)
            #expect(ids == ["a4", "a5"])
            // Inside the dedup window nothing goes, whatever the count.
            kept.retention = RetentionPolicy(completed: .count(0), dedupWindow: .seconds(86_400))
            #expect(try await store.sweep([kept]) == 1)
            ids = try await self.ids(store)
            #expect(ids == ["a5"])
        }
    }

    @Test func aMarkerThatCannotBeWrittenStopsTheQueueAndTheNextClaimSettlesThePatchOnce() async throws {
        let store = SharedStore(url: PostgresURL(try await TestDatabase.make())!, node: "h1", lease: .seconds(10), logger: logger)
        try await TestDatabase.running(store) {
            let (executor, config, marker) = try await ownedQueue(store)
            _ = try await enqueue(store, "p1")
            _ = try await enqueue(store, "p2")
            // The marker cannot be replaced (a folder in its place): the batch is applied, its marker is not.
            try FileManager.default.createDirectory(atPath: marker.folder.path + "/applied/blocked", withIntermediateDirectories: true)
            guard case .infrastructure(let message) = try await executor.claim() else {
                Issue.record("a marker that cannot be written is not an infrastructure failure")
                return
            }
            #expect(message.contains("marker"))
            #expect(readText(config.workspace.path + "/log.txt") == "p1 p2 END\n")
            #expect(try await row(store, 1).status == "queued")
            #expect(try await appliedSeq(store) == 0)
            // Fixed: the next claim rolls the batch forward from its intent records (already done) and files
            // each patch from the marker it then writes, without applying either again.
            try FileManager.default.removeItem(atPath: marker.folder.path + "/applied")
            #expect(try await executor.claim() == .filed)
            #expect(try await executor.claim() == .filed)
            #expect(try await executor.claim() == .idle)
            #expect(readText(config.workspace.path + "/log.txt") == "p1 p2 END\n")
            for sequence: Int64 in [1, 2] {
                #expect(try await row(store, sequence).status == "applied")
                #expect(try await row(store, sequence).receipt?.contains("recovered") == true)
            }
            _ = try await enqueue(store, "p3")
            #expect(try await executor.claim() == .filed)
            #expect(readText(config.workspace.path + "/log.txt") == "p1 p2 p3 END\n")
        }
    }

    @Test func aPatchMayNotWriteTheQueueMarker() async throws {
        let store = SharedStore(url: PostgresURL(try await TestDatabase.make())!, node: "h1", lease: .seconds(10), logger: logger)
        try await TestDatabase.running(store) {
            let (executor, config, marker) = try await ownedQueue(store)
            let body = Array(#"{"id":"evil","role":"write","target_file":".ghost-owner/main/applied","patch":{"contents":"999 1\n{}"}}"#.utf8)
            let item = SharedStore.IntakeItem(
                id: "evil",
                hash: Digest.sha256(body),
                body: body,
                source: "http",
                name: "evil.json",
                role: "write",
                receivedAt: Date()
            )
            _ = try await store.enqueue(queue: "main", [item])
            #expect(try await executor.claim() == .filed)
            let filed = try await row(store, 1)
            #expect(filed.status == "failed")
            #expect(filed.receipt?.contains("path_reserved") == true)
            #expect(marker.applied()?.sequence == 1)
            #expect(readText(config.workspace.path + "/log.txt") == "END\n")
        }
    }
}
