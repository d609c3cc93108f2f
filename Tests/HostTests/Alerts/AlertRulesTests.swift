import ApplierAPI
import Foundation
import Testing

@testable import Host

/// When alerts fire, stay quiet, resolve and hold back, without I/O.
@Suite struct AlertRulesTests {
    var settings: AlertSettings {
        var settings = AlertSettings()
        settings.stuckAfter = .seconds(60)
        settings.failureCount = 3
        settings.failureWindow = .seconds(100)
        settings.cooldown = .seconds(600)
        settings.diskFreePercent = 5
        return settings
    }

    let start = Date(timeIntervalSince1970: 1_000_000)

    func queue(oldest: Date? = nil, paused: Bool = false, failures: [(String, Date)] = []) -> AlertRules.Snapshot {
        var snapshot = AlertRules.Snapshot()
        snapshot.queues["main"] = AlertRules.QueueFacts(
            oldestQueuedAt: oldest,
            paused: paused,
            newFailures: failures.map { (reason: $0.0, at: $0.1) }
        )
        return snapshot
    }

    @Test func aStuckQueueFiresOnceThenResolves() {
        var rules = AlertRules(settings: settings)
        let old = start.addingTimeInterval(-120)
        let fired = rules.evaluate(queue(oldest: old), now: start)
        #expect(fired.map(\.key) == [Alert.Key(kind: .queueStuck, subject: "main")])
        #expect(fired.first?.status == .firing)
        #expect(fired.first?.summary.contains("waited 120 s") == true)
        #expect(rules.evaluate(queue(oldest: old), now: start.addingTimeInterval(5)).isEmpty)
        let resolved = rules.evaluate(queue(), now: start.addingTimeInterval(10))
        #expect(resolved.map(\.status) == [.resolved])
    }

    @Test func aPausedQueueIsNotStuck() {
        var rules = AlertRules(settings: settings)
        #expect(rules.evaluate(queue(oldest: start.addingTimeInterval(-999), paused: true), now: start).isEmpty)
    }

    /// Failures are counted per queue and reason, within the window.
    @Test func failuresFireAtTheRatePerReason() {
        var rules = AlertRules(settings: settings)
        #expect(rules.evaluate(queue(failures: [("no_match", start), ("io_error", start)]), now: start).isEmpty)
        #expect(rules.evaluate(queue(failures: [("no_match", start)]), now: start.addingTimeInterval(1)).isEmpty)
        let fired = rules.evaluate(queue(failures: [("no_match", start.addingTimeInterval(2))]), now: start.addingTimeInterval(2))
        #expect(fired.map(\.key) == [Alert.Key(kind: .failures, subject: "main/no_match")])
        #expect(fired.first?.summary == "3 patches failed no_match in queue main within 100 s")
        // Past the window the count drops under the rate: resolved.
        #expect(rules.evaluate(queue(), now: start.addingTimeInterval(200)).map(\.status) == [.resolved])
    }

    /// A condition that comes back within the cooldown is not sent again, and neither is its resolution.
    @Test func theCooldownHoldsBackAFlappingAlert() {
        var rules = AlertRules(settings: settings)
        let old = start.addingTimeInterval(-120)
        #expect(rules.evaluate(queue(oldest: old), now: start).count == 1)
        #expect(rules.evaluate(queue(), now: start.addingTimeInterval(10)).count == 1)
        #expect(rules.evaluate(queue(oldest: old), now: start.addingTimeInterval(20)).isEmpty)
        #expect(rules.evaluate(queue(), now: start.addingTimeInterval(30)).isEmpty)
        // After the cooldown it is news again.
        #expect(rules.evaluate(queue(oldest: old), now: start.addingTimeInterval(700)).map(\.status) == [.firing])
    }

    @Test func componentsDiskAndPoisonPatches() {
        var rules = AlertRules(settings: settings)
        var snapshot = AlertRules.Snapshot()
        snapshot.components = ["http": (up: true, restarts: 0), "inbox:main": (up: false, restarts: 0)]
        snapshot.diskFreePercent = ["/spool": 2.5]
        snapshot.queues["main"] = AlertRules.QueueFacts(poisonPatches: ["p9"])
        let fired = rules.evaluate(snapshot, now: start)
        #expect(Set(fired.map(\.key.kind)) == [.componentDown, .diskFull, .poisonPatch])
        snapshot.components["http"] = (up: true, restarts: 1)
        snapshot.components["inbox:main"] = (up: true, restarts: 0)
        let next = rules.evaluate(snapshot, now: start.addingTimeInterval(5))
        #expect(next.contains { $0.key == Alert.Key(kind: .componentRestarted, subject: "http") && $0.status == .firing })
        #expect(next.contains { $0.key == Alert.Key(kind: .componentDown, subject: "inbox:main") && $0.status == .resolved })
    }

    /// The signature Standard Webhooks' own test vector gives.
    @Test func webhooksAreSignedAsStandardWebhooksSpecify() {
        let signature = AlertSender.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
            timestamp: "1614265330",
            body: Array(#"{"test": 2432232314}"#.utf8),
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        )
        #expect(signature == "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }
}
