import ApplierAPI
import Foundation
import GhostTesting
import Synchronization
import Testing

@testable import GhostCLI

/// SIGHUP on a real `ghost serve`: queues added, removed and changed without a restart and without losing
/// an accepted patch; anything else refused, with the host still serving the configuration it had.
@Suite struct ConfigReloadServeTests {
    /// What the senders of one test were answered.
    private final class Tally: Sendable {
        let accepted = Mutex<[String]>([])
        let other = Mutex<[Int]>([])
    }

    private static func writePatch(_ id: String) -> String {
        #"{"id": "\#(id)", "role": "write", "target_file": "\#(id).txt", "patch": {"contents": "\#(id)"}}"#
    }

    /// Sends SIGHUP and waits for the reload's log line; returns it.
    private func reload(_ host: ServeProcess) async throws -> String {
        let before = host.stderr.count
        kill(host.process.processIdentifier, SIGHUP)
        var line: String?
        _ = await eventually(20) {
            line = host.stderr.dropFirst(before).first { $0.contains("SIGHUP: configuration") }
            return line != nil
        }
        return try #require(line, "no reload line in \(host.stderr.suffix(20))")
    }

    @Test func queuesAreAddedRemovedAndChangedWhileTheHostRuns() async throws {
        let folder = try makeTempFolder("cli")
        for workspace in ["wa", "wa2", "wb"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + workspace, withIntermediateDirectories: true)
        }
        try write("queues:\n  a: {dir: ia, workspace: wa}\n", to: folder + "/ghost.yml")
        let host = try await ServeProcess.start(folder: folder, arguments: ["--config", "ghost.yml"])

        // Add queue b, and move queue a to another workspace.
        try write("default_queue: a\nqueues:\n  a: {dir: ia, workspace: wa2}\n  b: {dir: ib, workspace: wb}\n", to: folder + "/ghost.yml")
        let line = try await reload(host)
        #expect(line.contains("configuration reloaded") && line.contains("added b") && line.contains("restarted with new settings a"), "\(line)")
        #expect(try host.request("POST", "/api/queues/b/patches?wait=10", body: Self.writePatch("in-b")).status == 200)
        #expect(try String(contentsOfFile: folder + "/wb/in-b.txt", encoding: .utf8) == "in-b")
        #expect(try host.request("POST", "/api/queues/a/patches?wait=10", body: Self.writePatch("in-a")).status == 200)
        #expect(try String(contentsOfFile: folder + "/wa2/in-a.txt", encoding: .utf8) == "in-a")
        #expect(!FileManager.default.fileExists(atPath: folder + "/wa/in-a.txt"))
        // The new queue's inbox is watched too.
        try write(Self.writePatch("dropped-b"), to: folder + "/ib/dropped-b.json")
        #expect(await eventually { FileManager.default.fileExists(atPath: folder + "/wb/dropped-b.txt") })
        let status = try #require(json(try host.request("GET", "/api/status")))
        #expect(status["queues"]?["b"] != nil)
        #expect(status["components"]?["inbox:b"]?["state"] == "up", "\(status.serialized)")

        // Remove queue b: its routes answer unknown_queue, its inbox is no longer read, its components go.
        try write("queues:\n  a: {dir: ia, workspace: wa2}\n", to: folder + "/ghost.yml")
        #expect(try await reload(host).contains("removed b"))
        let refused = try host.request("POST", "/api/queues/b/patches", body: Self.writePatch("late-b"))
        #expect(refused.status == 404)
        #expect(json(refused)?["result"]?["error"]?["code"] == "unknown_queue")
        try write(Self.writePatch("late-drop"), to: folder + "/ib/late-drop.json")
        try await Task.sleep(for: .seconds(1))
        #expect(FileManager.default.fileExists(atPath: folder + "/ib/late-drop.json"), "a removed queue's inbox is not read")
        let after = try #require(json(try host.request("GET", "/api/status")))
        #expect(after["queues"]?["b"] == nil)
        #expect(after["components"]?["inbox:b"] == nil && after["components"]?["executor:b"] == nil)
        #expect(after["status"] == "healthy", "\(after.serialized)")
        #expect(await host.stop() == 0)
    }

    @Test func aQueueRestartedUnderTrafficLosesNoAcceptedPatch() async throws {
        let folder = try makeTempFolder("cli")
        try FileManager.default.createDirectory(atPath: folder + "/ws", withIntermediateDirectories: true)
        try write("queues:\n  a: {dir: ia, workspace: ws}\n", to: folder + "/ghost.yml")
        let host = try await ServeProcess.start(folder: folder, arguments: ["--config", "ghost.yml"])
        let tally = Tally()
        // Blocking requests, each sender on a thread of its own.
        let senders = (0..<4).map { sender in
            Task {
                try await onThread {
                    for index in 0..<150 {
                        let id = "p\(sender)-\(index)"
                        let status = (try? host.request("POST", "/api/queues/a/patches", body: Self.writePatch(id)).status) ?? -1
                        if status == 202 { tally.accepted.withLock { $0.append(id) } } else { tally.other.withLock { $0.append(status) } }
                    }
                }
            }
        }
        // Two restarts of queue a while the senders run (each changes its aliases).
        for retries in [3, 4] {
            try await Task.sleep(for: .milliseconds(150))
            try write("queues:\n  a: {dir: ia, workspace: ws, aliases: [/old/machine\(retries)]}\n", to: folder + "/ghost.yml")
            let line = try await reload(host)
            #expect(line.contains("restarted with new settings a"), "\(line)")
        }
        for sender in senders { try await sender.value }
        let ids = tally.accepted.withLock { $0 }
        let other = tally.other.withLock { $0 }
        #expect(other.isEmpty, "every request was accepted while the queue restarted: \(other)")
        #expect(ids.count == 600)
        #expect(await eventually(30) { files(in: folder + "/ia/.completed").filter { $0.hasSuffix(".receipt.json") }.count == ids.count })
        for id in ids { #expect(try String(contentsOfFile: folder + "/ws/\(id).txt", encoding: .utf8) == id) }
        #expect(files(in: folder + "/ia/.failed").isEmpty)
        #expect(await host.stop() == 0)
    }

    @Test func settingsThatApplyOnlyAtStartAreRefusedAndTheHostKeepsItsConfiguration() async throws {
        let folder = try makeTempFolder("cli")
        try FileManager.default.createDirectory(atPath: folder + "/ws", withIntermediateDirectories: true)
        try write("queues:\n  a: {dir: ia, workspace: ws}\n", to: folder + "/ghost.yml")
        try FileManager.default.createDirectory(atPath: folder + "/wb", withIntermediateDirectories: true)
        let secrets = ["GHOST_T1": String(repeating: "1", count: 40), "GHOST_T2": String(repeating: "2", count: 40)]
        let host = try await ServeProcess.start(folder: folder, arguments: ["--config", "ghost.yml"], environment: secrets)
        let attempts: [(String, String)] = [
            ("default_queue: a\nhttp:\n  token_env: GHOST_T1\nqueues:\n  a: {dir: ia, workspace: ws}\n  b: {dir: ib, workspace: wb}\n", "http"),
            ("http:\n  token_env: GHOST_T1\nqueues:\n  a: {dir: ia, workspace: ws, token_env: GHOST_T2}\n", "the credentials of queue a"),
            ("default_queue: a\nqueues:\n  a: {dir: ia, workspace: ws}\n  b: {dir: ib, workspace: missing}\n", "missing does not exist"),
            ("queues: [unclosed\n", "configuration"),
        ]
        for (text, mention) in attempts {
            try write(text, to: folder + "/ghost.yml")
            let line = try await reload(host)
            #expect(line.contains("not reloaded") && line.contains(mention), "\(line)")
            #expect(host.process.isRunning)
            // Still the old configuration: no token asked, no queue b.
            #expect(try host.request("POST", "/api/queues/a/patches?wait=10", body: Self.writePatch("k\(mention.count)")).status == 200)
            #expect(try host.request("POST", "/api/queues/b/patches", body: Self.writePatch("nob")).status == 404)
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/ib"), "a refused reload opens no spool")
        #expect(await host.stop() == 0)
    }
}
