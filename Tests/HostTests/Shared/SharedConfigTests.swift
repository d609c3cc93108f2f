import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import Host

/// `store:`, `node:` and `owner:` in `ghost.yml`, and the database URL they name.
struct SharedConfigTests {
    let base = URL(fileURLWithPath: "/tmp/ghost-shared-config")

    @Test func aStoreSectionReadsItsURLFromTheNamedVariable() throws {
        let yaml = """
            node: build-7
            store: {postgres: {url_env: FLEET_DB, lease_s: 4, poll_ms: 250}}
            queues:
              main: {dir: spool, workspace: ws, owner: build-1}
            """
        let config = try GhostConfig.parse(
            yaml: yaml,
            baseDirectory: base,
            environment: ["FLEET_DB": "postgres://ghost:s%40crt@db.internal:6432/fleet?sslmode=require"]
        )
        #expect(config.node == "build-7")
        #expect(config.nodeName == "build-7")
        #expect(config.store?.url == "postgres://ghost:s%40crt@db.internal:6432/fleet?sslmode=require")
        #expect(config.store?.lease == .seconds(4))
        #expect(config.store?.poll == .milliseconds(250))
        #expect(config.queues[0].owner == "build-1")
        let url = try #require(PostgresURL(config.store!.url))
        #expect(url.host == "db.internal" && url.port == 6432 && url.user == "ghost")
        #expect(url.password == "s@crt" && url.database == "fleet" && url.sslMode == "require")
    }

    @Test func aMissingVariableIsRefusedNamingIt() {
        let yaml = "store: {postgres: {url_env: FLEET_DB}}\nqueues: {main: {dir: spool}}"
        #expect {
            try GhostConfig.parse(yaml: yaml, baseDirectory: base, environment: [:])
        } throws: { error in
            "\(error)".contains("$FLEET_DB is not set")
        }
    }

    @Test func aURLThatIsNotPostgresIsRefused() {
        let yaml = "store: {postgres: {}}\nqueues: {main: {dir: spool}}"
        #expect {
            try GhostConfig.parse(yaml: yaml, baseDirectory: base, environment: ["GHOST_DATABASE_URL": "mysql://root@localhost/db"])
        } throws: { error in
            "\(error)".contains("not a postgres://")
        }
    }

    @Test func anOwnerWithoutASharedStoreIsRefused() {
        let yaml = "queues: {main: {dir: spool, owner: build-1}}"
        #expect {
            try GhostConfig.parse(yaml: yaml, baseDirectory: base, environment: [:])
        } throws: { error in
            "\(error)".contains("queues.main.owner") && "\(error)".contains("shared store")
        }
    }

    @Test func aNodeNameWithOtherCharactersIsRefused() {
        let yaml = "node: 'a b'\nqueues: {main: {dir: spool}}"
        #expect(throws: ConfigError.self) { try GhostConfig.parse(yaml: yaml, baseDirectory: base, environment: [:]) }
    }

    @Test(arguments: ["postgres://localhost/db", "http://u@h/db", "postgres://@h/db", "not a url", "postgres://u@h/db?sslmode=requir"])
    func urlsWithoutAHostOrUserAreNotParsed(_ text: String) {
        #expect(PostgresURL(text) == nil)
    }
}

/// How an executor is woken: by a signal, by its poll, by cancellation.
@Suite(.timeLimit(.minutes(3))) struct QueueWakeupTests {
    @Test func aSignalBeforeTheWaitIsNotLost() async {
        let wakeup = QueueWakeup()
        wakeup.signal()
        let started = ContinuousClock.now
        await wakeup.wait(timeout: .seconds(120))
        // A lost signal would wait the whole timeout; a busy machine may take a few seconds to schedule.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func manySignalsWakeOnce() async {
        let wakeup = QueueWakeup()
        for _ in 0..<100 { wakeup.signal() }
        await wakeup.wait(timeout: .seconds(30))
        let started = ContinuousClock.now
        await wakeup.wait(timeout: .milliseconds(200))
        #expect(ContinuousClock.now - started >= .milliseconds(150))
    }

    @Test func aSignalWakesAWaiter() async {
        let wakeup = QueueWakeup()
        let started = ContinuousClock.now
        async let waited: Void = wakeup.wait(timeout: .seconds(120))
        try? await Task.sleep(for: .milliseconds(50))
        wakeup.signal()
        await waited
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func cancellationEndsTheWait() async {
        let wakeup = QueueWakeup()
        let task = Task { await wakeup.wait(timeout: .seconds(120)) }
        try? await Task.sleep(for: .milliseconds(50))
        task.cancel()
        let started = ContinuousClock.now
        await task.value
        #expect(ContinuousClock.now - started < .seconds(60))
    }
}

/// The queue's state on the workspace's storage.
struct WorkspaceMarkerTests {
    @Test func theWorkspaceIDIsMadeOnceAndKept() throws {
        let root = try makeTempFolder()
        let marker = WorkspaceMarker(workspace: URL(fileURLWithPath: root), queue: "main")
        let id = try marker.prepare()
        #expect(try marker.prepare() == id)
        #expect(WorkspaceMarker(workspace: URL(fileURLWithPath: root), queue: "main").workspaceID() == id)
        #expect(WorkspaceMarker(workspace: URL(fileURLWithPath: root), queue: "other").workspaceID() == nil)
        #expect(FileManager.default.fileExists(atPath: root + "/.ghost-owner/main/intent.log"))
    }

    @Test func aNewerFenceStopsTheOldOwner() throws {
        let root = try makeTempFolder()
        let marker = WorkspaceMarker(workspace: URL(fileURLWithPath: root), queue: "main")
        _ = try marker.prepare()
        try marker.takeFence(3)
        try marker.checkFence(3)
        try marker.takeFence(4)
        #expect(throws: ApplyError.self) { try marker.checkFence(3) }
    }

    @Test func theAppliedMarkerKeepsTheReceiptBytes() throws {
        let root = try makeTempFolder()
        let marker = WorkspaceMarker(workspace: URL(fileURLWithPath: root), queue: "main")
        _ = try marker.prepare()
        #expect(marker.applied() == nil)
        let receipt = Array(#"{"id":"a","status":"applied"}"#.utf8) + [10, 0, 255]
        try marker.markApplied(.init(sequence: 41, fence: 2, receipt: receipt))
        #expect(marker.applied() == .init(sequence: 41, fence: 2, receipt: receipt))
    }
}
