import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// What an operator does to patches and queues, against the real `ghost serve`: a failed patch sent again,
/// retry, pause (across a restart), cancel, and the paged list; and a web page cannot do any of it.
@Suite struct QueueControlTests {
    static func folder(file: String = "a\n") throws -> String {
        let folder = try makeTempFolder("control")
        try write(file, to: folder + "/src/App.tsx")
        try write("queues:\n  default:\n    dir: patches\n    workspace: .\n", to: folder + "/ghost.yml")
        return folder
    }

    /// A patch that failed and changed nothing runs again when sent again, as attempt 2; each attempt ends in
    /// exactly one of `.completed/` and `.failed/`.
    @Test func aFailedPatchThatChangedNothingRunsAgainWhenSentAgain() async throws {
        let folder = try Self.folder()
        let host = try await ServeProcess.start(folder: folder)
        let patch = regexPatch(id: "late", pattern: "b", replacement: "c")
        let first = json(try host.request("POST", "/api/patches?wait=10", body: patch))
        #expect(first?["result"]?["receipt"]?["reason"] == "no_match")
        try write("b\n", to: folder + "/src/App.tsx")
        let again = json(try host.request("POST", "/api/patches?wait=10", body: patch))
        #expect(again?["result"]?["status"] == "applied")
        #expect(again?["result"]?["attempt"] == 2)
        #expect(again?["result"]?["receipt"]?["attempt"] == 2)
        #expect(readText(folder + "/src/App.tsx") == "c\n")
        #expect(files(in: folder + "/patches/.failed").filter { $0.hasSuffix(".receipt.json") }.count == 1)
        #expect(files(in: folder + "/patches/.completed").filter { $0.hasSuffix(".receipt.json") }.count == 1)
        // Applied now: a third delivery is a duplicate of attempt 2.
        let third = json(try host.request("POST", "/api/patches", body: patch))
        #expect(third?["result"]?["status"] == "duplicate")
        #expect(third?["result"]?["receipt"]?["attempt"] == 2)
        #expect(await host.stop() == 0)
    }

    @Test func retryRunsAFailedPatchAgainAndRefusesOthers() async throws {
        let folder = try Self.folder()
        let host = try await ServeProcess.start(folder: folder)
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "r1", pattern: "b")))?["result"]?["status"] == "failed")
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "ok")))?["result"]?["status"] == "applied")
        try write("b\n", to: folder + "/src/App.tsx")

        let retried = try host.request("POST", "/api/patches/r1/retry")
        #expect(retried.status == 202)
        #expect(json(retried)?["result"]?["attempt"] == 2)
        #expect(json(retried)?["result"]?["message"]?.stringValue?.contains("retried after attempt 1 failed (no_match)") == true)
        let receipt = try await host.awaitStatus("r1", "applied")
        #expect(receipt?["attempt"] == 2)
        #expect(readText(folder + "/src/App.tsx") == "aa\n")

        let applied = try host.request("POST", "/api/patches/ok/retry")
        #expect(applied.status == 409)
        #expect(json(applied)?["result"]?["error"]?["message"]?.stringValue?.contains("only a failed patch is retried") == true)
        #expect(try host.request("POST", "/api/patches/nobody/retry").status == 404)
        #expect(await host.stop() == 0)
    }

    /// The dedup window is about deliveries, not operators: a failed patch older than it can still be retried.
    @Test func aPatchOlderThanTheDedupWindowCanStillBeRetried() async throws {
        let folder = try makeTempFolder("control")
        try write("a\n", to: folder + "/src/App.tsx")
        try write("retention: {dedup_window: 1s}\nqueues:\n  default:\n    dir: patches\n    workspace: .\n", to: folder + "/ghost.yml")
        let host = try await ServeProcess.start(folder: folder)
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "old", pattern: "b")))?["result"]?["status"] == "failed")
        try await Task.sleep(for: .milliseconds(1500))
        try write("b\n", to: folder + "/src/App.tsx")
        let retried = try host.request("POST", "/api/patches/old/retry")
        #expect(retried.status == 202)
        #expect(json(retried)?["result"]?["attempt"] == 2)
        #expect(await host.stop() == 0)
    }

    /// A paused queue takes patches and applies none, even after a restart; resumed, it applies them in order.
    /// A queued patch can be cancelled: it is filed failed/cancelled and its file is never touched.
    @Test func pauseSurvivesARestartAndCancelFilesAQueuedPatch() async throws {
        let folder = try Self.folder()
        var host = try await ServeProcess.start(folder: folder)
        let paused = try host.request("POST", "/api/queues/default/pause")
        #expect(paused.status == 200)
        #expect(json(paused)?["result"]?["queue"]?["paused"] == true)
        #expect(try host.request("POST", "/api/queues/nope/pause").status == 404)
        #expect(try host.request("POST", "/api/patches", body: regexPatch(id: "q1")).status == 202)
        #expect(try host.request("POST", "/api/patches", body: regexPatch(id: "q2")).status == 202)
        #expect(await host.stop() == 0)

        host = try await ServeProcess.start(folder: folder)
        try await Task.sleep(for: .milliseconds(300))
        #expect(readText(folder + "/src/App.tsx") == "a\n")
        #expect(json(try host.request("GET", "/api/status"))?["queues"]?["default"]?["paused"] == true)
        #expect(json(try host.request("GET", "/api/patches/q1"))?["status"] == "queued")

        let cancelled = try host.request("POST", "/api/patches/q1/cancel")
        #expect(cancelled.status == 200)
        #expect(json(cancelled)?["result"]?["receipt"]?["reason"] == "cancelled")
        #expect(try host.request("POST", "/api/patches/q1/cancel").status == 409)
        #expect(files(in: folder + "/patches/.failed").contains { $0.hasPrefix("q1_") && $0.hasSuffix(".receipt.json") })

        #expect(try host.request("POST", "/api/queues/default/resume").status == 200)
        #expect(try await host.awaitStatus("q2", "applied")?["status"] == "applied")
        #expect(readText(folder + "/src/App.tsx") == "aa\n")
        #expect(json(try host.request("GET", "/api/patches/q1"))?["reason"] == "cancelled")
        // Cancelled means nothing ran: sent again, it runs as attempt 2.
        let resent = json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "q1")))
        #expect(resent?["result"]?["attempt"] == 2)
        #expect(resent?["result"]?["status"] == "applied")
        #expect(await host.stop() == 0)
    }

    /// Pages follow their cursor to the end without repeating a patch, newest first, with filters.
    @Test func theListPagesThroughTheHistoryWithFilters() async throws {
        let folder = try Self.folder()
        let host = try await ServeProcess.start(folder: folder)
        for n in 1...5 {
            #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "p\(n)")))?["result"]?["status"] == "applied")
        }
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "bad", pattern: "zz")))?["result"]?["status"] == "failed")
        var seen: [String] = []
        var cursor: String?
        repeat {
            let path =
                "/api/patches?limit=2" + (cursor.map { "&cursor=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? "")
            let page = json(try host.request("GET", path))
            let ids = page?["patches"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(ids.count <= 2)
            seen += ids
            cursor = page?["next_cursor"]?.stringValue
        } while cursor != nil && seen.count < 20
        #expect(seen == ["bad", "p5", "p4", "p3", "p2", "p1"])

        let failed = json(try host.request("GET", "/api/patches?status=failed"))?["patches"]?.arrayValue
        #expect(failed?.map { $0["id"]?.stringValue } == ["bad"])
        #expect(failed?.first?["reason"] == "no_match")
        let search = json(try host.request("GET", "/api/patches?q=p3"))?["patches"]?.arrayValue
        #expect(search?.map { $0["id"]?.stringValue } == ["p3"])
        #expect(try host.request("GET", "/api/patches?status=nonsense").status == 422)
        #expect(try host.request("GET", "/api/patches?cursor=garbage").status == 422)
        #expect(await host.stop() == 0)
    }

    /// A patch leaves the queued ones when it finishes and joins the history at the next checkpoint, which a
    /// busy queue puts off: the first page is read after one, so a finished patch never drops out of the list
    /// (the dashboard's live list reads it once per change and would lose the patch until the next change).
    @Test func aFinishedPatchIsListedAtOnceWhileTheNextOneRuns() async throws {
        let folder = try makeTempFolder("control")
        try write("a\n", to: folder + "/src/App.tsx")
        try write(
            "queues:\n  default:\n    dir: patches\n    workspace: .\n    shell: {allow: [\"^sleep [0-9]$\"], timeout_s: 10}\n",
            to: folder + "/ghost.yml"
        )
        let host = try await ServeProcess.start(folder: folder)
        // Paused while both are queued, so the second is waiting when the first finishes.
        #expect(try host.request("POST", "/api/queues/default/pause").status == 200)
        #expect(try host.request("POST", "/api/patches", body: regexPatch(id: "quick")).status == 202)
        #expect(try host.request("POST", "/api/patches", body: #"{"id": "slow", "role": "shell", "patch": "sleep 6"}"#).status == 202)
        #expect(try host.request("POST", "/api/queues/default/resume").status == 200)
        _ = try await host.awaitStatus("quick", "applied")
        let page = json(try host.request("GET", "/api/patches"))?["patches"]?.arrayValue ?? []
        let statuses = Dictionary(uniqueKeysWithValues: page.compactMap { item in item["id"]?.stringValue.map { ($0, item["status"]) } })
        #expect(statuses["quick"] == "applied", "\(page)")
        // Still running unless the machine is very slow: then both are simply in the history.
        #expect(statuses["slow"] == "applying" || statuses["slow"] == "applied", "\(page)")
        #expect(await host.stop() == 0)
    }
    /// A page in the user's browser cannot pause, cancel or retry (403), and with a token nobody without it can (401).
    @Test func aWebPageCannotActOnPatches() async throws {
        let folder = try makeTempFolder("control")
        try write("a\n", to: folder + "/src/App.tsx")
        try write(
            "http:\n  token: \(String(repeating: "t", count: 40))\nqueues:\n  default:\n    dir: patches\n    workspace: .\n",
            to: folder + "/ghost.yml"
        )
        let host = try await ServeProcess.start(folder: folder)
        let page = [("Origin", "http://evil.example"), ("Sec-Fetch-Site", "cross-site")]
        for path in ["/api/queues/default/pause", "/api/patches/x/cancel", "/api/patches/x/retry", "/api/patches/x/revert"] {
            #expect(try host.request("POST", path, headers: page).status == 403)
            #expect(try host.request("POST", path).status == 401)
        }
        let bearer = [("Authorization", "Bearer " + String(repeating: "t", count: 40))]
        #expect(try host.request("POST", "/api/queues/default/pause", headers: bearer).status == 200)
        #expect(try host.request("GET", "/api/patches").status == 401)
        #expect(try host.request("GET", "/api/patches", headers: bearer).status == 200)
        #expect(await host.stop() == 0)
    }

    /// The same actions from the command line: list, show, retry --wait, pause, cancel, resume.
    @Test func theCommandLineActsOnTheRunningHost() async throws {
        let folder = try Self.folder()
        let host = try await ServeProcess.start(folder: folder)
        let url = ["--url", "http://127.0.0.1:\(host.port)"]
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "cli1", pattern: "b")))?["result"]?["status"] == "failed")

        let listed = try await GhostProcess.run(["list", "--status", "failed"] + url, in: folder)
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("failed    cli1  default [no_match]"))
        let shown = try await GhostProcess.run(["show", "cli1"] + url, in: folder)
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("[no_match]"))
        #expect(shown.stdout.contains("attempt 1"))

        try write("b\n", to: folder + "/src/App.tsx")
        let retried = try await GhostProcess.run(["retry", "cli1", "--wait", "10"] + url, in: folder)
        #expect(retried.status == 0)
        #expect(try JSONParser.parse(Array(retried.stdout.utf8))["attempt"] == 2)
        #expect(readText(folder + "/src/App.tsx") == "aa\n")
        #expect(try await GhostProcess.run(["retry", "cli1"] + url, in: folder).status == 1)

        #expect(try await GhostProcess.run(["pause", "default"] + url, in: folder).stdout.contains("queue default: paused"))
        #expect(try host.request("POST", "/api/patches", body: regexPatch(id: "cli2")).status == 202)
        let cancelled = try await GhostProcess.run(["cancel", "cli2"] + url, in: folder)
        #expect(cancelled.status == 0)
        #expect(cancelled.stdout.contains("cancelled"))
        #expect(try await GhostProcess.run(["resume", "default"] + url, in: folder).stdout.contains("queue default: running"))
        #expect(try await GhostProcess.run(["pause", "nope"] + url, in: folder).status == 1)
        #expect(await host.stop() == 0)
        #expect(try await GhostProcess.run(["list"] + url, in: folder).status == 3)
    }
}
