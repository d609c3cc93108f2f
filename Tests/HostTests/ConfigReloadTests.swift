import Foundation
import Testing

@testable import Host

/// The plan a SIGHUP follows: which queues are added, removed and restarted, and what is refused.
@Suite struct ConfigReloadTests {
    private let base = URL(fileURLWithPath: "/srv/ghost")
    private let secrets = ["T1": String(repeating: "1", count: 40), "T2": String(repeating: "2", count: 40)]

    private func plan(_ old: String, _ new: String) throws -> ConfigReload {
        let before = try GhostConfig.parse(yaml: old, baseDirectory: base, environment: secrets)
        let after = try GhostConfig.parse(yaml: new, baseDirectory: base, environment: secrets)
        return ConfigReload(from: before, to: after, currentDirectory: base)
    }

    @Test func theSameConfigurationIsNothingToDo() throws {
        let yaml = "default_queue: a\nqueues:\n  a: {dir: ia, workspace: wa}\n  b: {dir: ib, workspace: wb}\n"
        let reload = try plan(yaml, yaml)
        #expect(reload.added.isEmpty && reload.removed.isEmpty && reload.changed.isEmpty && reload.refusals.isEmpty)
        #expect(reload.summary == "no queue changed")
    }

    @Test func aChangedQueueIsRestartedAndTheOthersAreLeftAlone() throws {
        let reload = try plan(
            "default_queue: a\nqueues:\n  a: {dir: ia, workspace: wa}\n  b: {dir: ib, workspace: wb}\n",
            "default_queue: a\nqueues:\n  a: {dir: ia, workspace: wa}\n  b: {dir: ib, workspace: wb, aliases: [/old/b]}\n"
        )
        #expect(reload.changed.map(\.name) == ["b"])
        #expect(reload.added.isEmpty && reload.removed.isEmpty && reload.refusals.isEmpty)
        #expect(reload.changed.first?.aliases == ["/old/b"])
    }

    @Test func addingOrRemovingAQueueRestartsTheOthersBecauseTheirGuardedPathsChange() throws {
        let added = try plan(
            "queues:\n  a: {dir: ia, workspace: wa}\n",
            "default_queue: a\nqueues:\n  a: {dir: ia, workspace: wa}\n  b: {dir: ib, workspace: wb}\n"
        )
        #expect(added.added.map(\.name) == ["b"])
        // Queue a must now refuse writes into b's spool and b's .git: it restarts with the new list.
        #expect(added.changed.map(\.name) == ["a"])
        #expect(added.summary == "queues added b; restarted with new settings a")
        let removed = try plan(
            "default_queue: a\nqueues:\n  a: {dir: ia, workspace: wa}\n  b: {dir: ib, workspace: wb}\n",
            "queues:\n  a: {dir: ia, workspace: wa}\n"
        )
        #expect(removed.removed == ["b"])
        #expect(removed.added.isEmpty)
        #expect(removed.changed.map(\.name) == ["a"], "a no longer guards b's spool, so it restarts with the shorter list")
    }

    @Test func settingsHeldSinceStartAreRefusedByName() throws {
        let base = "queues:\n  a: {dir: ia, workspace: wa}\n"
        let cases: [(String, String)] = [
            ("http: {port: 6000}\n" + base, "http (the listener, its limits or the host's credentials)"),
            ("http: {token_env: T1}\n" + base, "http (the listener, its limits or the host's credentials)"),
            ("log: {level: debug}\n" + base, "log"),
            ("alerts: {command: [/bin/true]}\n" + base, "alerts"),
            ("roles:\n  fmt: {exec: [/bin/cat]}\n" + base, "roles"),
        ]
        for (new, refusal) in cases {
            let reload = try plan(base, new)
            #expect(reload.refusals == [refusal], "\(new)")
            #expect(reload.added.isEmpty && reload.changed.isEmpty && reload.removed.isEmpty, "a refused reload plans nothing")
        }
    }

    @Test func aQueuesOwnCredentialsCannotChangeWithoutARestart() throws {
        let old = "http: {token_env: T1}\nqueues:\n  a: {dir: ia, workspace: wa}\n"
        let reload = try plan(old, "http: {token_env: T1}\nqueues:\n  a: {dir: ia, workspace: wa, token_env: T2}\n")
        #expect(reload.refusals == ["the credentials of queue a"])
        let added = try plan(
            old,
            "http: {token_env: T1}\ndefault_queue: a\nqueues:\n  a: {dir: ia, workspace: wa}\n  b: {dir: ib, workspace: wb, token_env: T2}\n"
        )
        #expect(added.refusals == ["the credentials of queue b"], "a queue added with a token the HTTP transport never heard of would be open")
    }

    @Test func changingTheDefaultQueueIsRefused() throws {
        let reload = try plan(
            "default_queue: a\nqueues:\n  a: {dir: ia, workspace: wa}\n  b: {dir: ib, workspace: wb}\n",
            "default_queue: b\nqueues:\n  a: {dir: ia, workspace: wa}\n  b: {dir: ib, workspace: wb}\n"
        )
        #expect(reload.refusals == ["default_queue"])
    }
}
