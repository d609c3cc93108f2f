import ApplierAPI
import Logging
import Supervision
import Synchronization
import Testing

@Suite struct HealthBoardTests {
    @Test func healthyOnlyWhenEveryComponentIsUpOrStopped() async {
        let board = HealthBoard()
        #expect(await board.isHealthy())
        await board.set("http", .starting)
        #expect(await !board.isHealthy())
        await board.set("http", .up)
        await board.set("stdin", .stopped)
        #expect(await board.isHealthy())
        await board.set("inbox:main", .degraded, error: "no such folder")
        #expect(await !board.isHealthy())
    }

    @Test func theLastErrorIsShownOnlyWhenAskedForAndKeptUntilTheNextFailure() async {
        let board = HealthBoard()
        await board.set("inbox:main", .degraded, error: "no such folder /srv/in")
        await board.set("inbox:main", .up)
        let withErrors = await board.json()
        #expect(withErrors["inbox:main"]?["state"] == "up")
        #expect(withErrors["inbox:main"]?["last_error"] == "no such folder /srv/in")
        let open = await board.json(includingErrors: false)
        #expect(open["inbox:main"]?["state"] == "up")
        #expect(open["inbox:main"]?["last_error"] == nil)
    }

    @Test func notesAndRestartsLeaveTheStateAlone() async {
        let board = HealthBoard()
        await board.set("executor:main", .up)
        await board.note("executor:main", "filed p1: the host died applying it")
        await board.countRestart("executor:main")
        var json = await board.json()
        #expect(json["executor:main"]?["state"] == "up")
        #expect(json["executor:main"]?["restarts"]?.intValue == 1)
        #expect(json["executor:main"]?["note"] == "filed p1: the host died applying it")
        await board.note("executor:main", nil)
        json = await board.json()
        #expect(json["executor:main"]?["note"] == nil)
    }
}

@Suite struct SupervisedServiceTests {
    /// A supervised component that logs nothing and restarts after a millisecond or two.
    static func quiet(
        _ name: String,
        _ board: HealthBoard,
        isFatal: @escaping @Sendable (any Error) -> Bool = { _ in false },
        body: @escaping @Sendable () async throws -> Void
    ) -> SupervisedService {
        SupervisedService(
            name: name,
            health: board,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            initialBackoff: .milliseconds(1),
            maximumBackoff: .milliseconds(2),
            isFatal: isFatal,
            body: body
        )
    }

    @Test func aFailingComponentIsRestartedUntilItStopsOnPurpose() async throws {
        let board = HealthBoard()
        let attempts = Mutex(0)
        struct Flaky: Error {}
        let service = SupervisedServiceTests.quiet("flaky", board) {
            let attempt = attempts.withLock { count in
                count += 1
                return count
            }
            if attempt < 3 { throw Flaky() }
        }
        try await service.run()
        #expect(attempts.withLock { $0 } == 3)
        let json = await board.json()
        #expect(json["flaky"]?["state"] == "stopped")
        #expect(json["flaky"]?["restarts"]?.intValue == 2)
        #expect(json["flaky"]?["last_error"] != nil)
    }
}

@Suite struct FatalComponentTests {
    @Test func aFatalErrorIsNotRestartedButRethrown() async {
        let board = HealthBoard()
        let attempts = Mutex(0)
        struct AddressInUse: Error {}
        let fails: @Sendable () async throws -> Void = {
            attempts.withLock { $0 += 1 }
            throw AddressInUse()
        }
        let service = SupervisedServiceTests.quiet("http", board, isFatal: { $0 is AddressInUse }, body: fails)
        await #expect(throws: AddressInUse.self) { try await service.run() }
        #expect(attempts.withLock { $0 } == 1)
        #expect(await board.state(of: "http") == .degraded)
        #expect(await board.states() == ["http": .degraded])
    }
}
