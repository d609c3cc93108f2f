import ApplierAPI
import Crypto
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

@Suite struct ServeHTTPTests {
    /// A folder with `src/App.tsx` holding `a`, served with the embedded default configuration.
    static func startDefault(arguments: [String] = [], environment: [String: String] = [:]) async throws -> ServeProcess {
        try await start(config: nil, arguments: arguments, environment: environment)
    }

    /// The same folder with `config` as its `ghost.yml` (the embedded default when `nil`).
    static func start(config: String?, arguments: [String] = [], environment: [String: String] = [:]) async throws -> ServeProcess {
        let folder = try makeTempFolder("cli")
        try write("a\n", to: folder + "/src/App.tsx")
        if let config { try write(config, to: folder + "/ghost.yml") }
        return try await ServeProcess.start(folder: folder, arguments: arguments, environment: environment)
    }

    /// Receipts (with diffs of the workspace's files) and the journal (with patches) are the host user's only.
    @Test func receiptsAndTheJournalAreNotReadableByOtherUsers() async throws {
        let host = try await Self.startDefault()
        let applied = try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "private"))
        #expect(json(applied)?["result"]?["status"] == "applied")
        for folder in [".completed", ".failed", ".ghost"] {
            var info = stat()
            #expect(stat(host.folder + "/patches/" + folder, &info) == 0)
            #expect(info.st_mode & 0o077 == 0, "\(folder)")
        }
        #expect(await host.stop() == 0)
    }

    /// `?wait=` beyond any time the host could wait (Int64 milliseconds) is the longest wait, not a crash.
    @Test func aHugeWaitIsTheLongestWaitNotACrash() async throws {
        let host = try await Self.startDefault()
        for (index, wait) in ["1e300", "1e16", "9223372036854775807"].enumerated() {
            let response = try host.request("POST", "/api/patches?wait=\(wait)", body: regexPatch(id: "huge-\(index)"))
            #expect(response.status == 200, "\(wait)")
        }
        #expect(try host.request("GET", "/health").status == 200)
        #expect(await host.stop() == 0)
    }

    @Test func acceptsDurablyThenAppliesAndAnswersEveryReadRoute() async throws {
        let host = try await Self.startDefault()
        let health = try host.request("GET", "/health")
        #expect(health.status == 200)
        #expect(json(health)?["status"] == "healthy")
        #expect(json(health)?["components"]?["http"]?["state"] == "up")
        #expect(json(health)?["components"]?["inbox:default"]?["state"] == "up")

        let posted = try host.request("POST", "/api/patches", body: regexPatch(id: "p1"))
        #expect(posted.status == 202)
        let result = json(posted)?["result"]
        #expect(result?["success"] == true)
        #expect(result?["patch_id"] == "p1")
        #expect(result?["queue"] == "default")
        #expect(result?["filepath"]?.stringValue?.contains("/patches/.ghost/journal/") == true)
        #expect(result?["message"]?.stringValue?.isEmpty == false)

        #expect(await eventually { readText(host.folder + "/src/App.tsx") == "aa\n" })
        #expect(await eventually { files(in: host.folder + "/patches/.completed").count == 2 })
        let completed = files(in: host.folder + "/patches/.completed")
        #expect(completed.contains { $0.hasPrefix("p1_") && $0.hasSuffix(".receipt.json") })

        // The receipt is filed a moment before the host's ledger says so.
        #expect(await eventually { (try? json(host.request("GET", "/api/patches/p1"))?["status"]) == "applied" })
        let lookup = try host.request("GET", "/api/patches/p1")
        #expect(lookup.status == 200)
        #expect(json(lookup)?["status"] == "applied")
        #expect(json(lookup)?["source"] == "http")
        #expect(json(lookup)?["diff"]?.stringValue?.contains("+aa") == true)

        let missing = try host.request("GET", "/api/patches/nope")
        #expect(missing.status == 404)
        #expect(json(missing)?["result"]?["error"]?["code"] == "not_found")

        let waited = try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "p2", pattern: "aa$", replacement: "b"))
        #expect(waited.status == 200)
        #expect(json(waited)?["result"]?["status"] == "applied")
        #expect(json(waited)?["result"]?["receipt"]?["files"]?.arrayValue?.first?["path"] == "src/App.tsx")
        #expect(readText(host.folder + "/src/App.tsx") == "b\n")

        let failed = try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "p3", pattern: "zzz"))
        #expect(failed.status == 200)
        #expect(json(failed)?["result"]?["success"] == false)
        #expect(json(failed)?["result"]?["receipt"]?["reason"] == "no_match")
        #expect(files(in: host.folder + "/patches/.failed").contains { $0.hasPrefix("p3_") && $0.hasSuffix(".receipt.json") })

        let metrics = try host.request("GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.text.contains(#"ghost_patches_received_total{queue="default",source="http"} 3"#))
        #expect(metrics.text.contains(#"ghost_patches_applied_total{queue="default",role="ui_patch"} 2"#))
        #expect(metrics.text.contains(#"ghost_patches_failed_total{queue="default",role="ui_patch",reason="no_match"} 1"#))
        #expect(metrics.text.contains("ghost_apply_duration_seconds_bucket"))
        #expect(metrics.text.contains(#"ghost_queue_depth{queue="default"} 0"#))

        let status = try host.request("GET", "/api/status")
        #expect(json(status)?["queues"]?["default"]?["counts"]?["applied"] == 2)
        #expect(await host.stop() == 0)
    }

    @Test func refusesBadRequestsWithTheDocumentedCodesAndWritesNothing() async throws {
        let host = try await Self.startDefault(arguments: [])
        func code(_ response: HTTPClient.Response) -> String? { json(response)?["result"]?["error"]?["code"]?.stringValue }

        let notJSON = try host.request("POST", "/api/patches", body: "{\"id\": ")
        #expect(notJSON.status == 400)
        #expect(code(notJSON) == "invalid_json")
        #expect(json(notJSON)?["result"]?["success"] == false)

        let invalid = try host.request("POST", "/api/patches", body: #"{"id": "x", "role": "ui_patch"}"#)
        #expect(invalid.status == 422)
        #expect(code(invalid) == "invalid_patch")
        let noID = try host.request("POST", "/api/patches", body: #"{"role": "ui_patch", "target_file": "a", "patch": {}}"#)
        #expect(noID.status == 422)
        let unknownRole = try host.request("POST", "/api/patches", body: #"{"id": "r", "role": "nope", "target_file": "a", "patch": {}}"#)
        #expect(unknownRole.status == 422)
        #expect(code(unknownRole) == "unknown_role")
        // Each role checks its own payload before the patch is accepted: these could only fail later.
        for (id, patch) in [
            ("no-replacement", #""patch": {"pattern": "a"}"#), ("bad-regex", #""patch": {"pattern": "(a", "replacement": "b"}"#),
            ("junk-base64", #""role": "write", "patch": {"contents": "a*b=", "encoding": "base64"}"#),
        ] {
            let role = patch.contains("\"role\"") ? "" : #""role": "ui_patch", "#
            let refused = try host.request("POST", "/api/patches", body: #"{"id": "\#(id)", \#(role)"target_file": "src/App.tsx", \#(patch)}"#)
            #expect(refused.status == 422, "\(id)")
            #expect(code(refused) == (id == "bad-regex" ? "regex_error" : "invalid_patch"), "\(id)")
            #expect(try host.request("GET", "/api/patches/\(id)").status == 404, "\(id) was queued")
        }

        let noQueue = try host.request("POST", "/api/queues/NOPE/patches", body: regexPatch(id: "q"))
        #expect(noQueue.status == 404)
        #expect(code(noQueue) == "unknown_queue")

        let huge = try host.request("POST", "/api/patches", body: String(repeating: " ", count: 10 << 20 + 1))
        #expect(huge.status == 413)
        #expect(code(huge) == "limit_exceeded")

        let first = try host.request("POST", "/api/patches", body: regexPatch(id: "same"))
        #expect(first.status == 202)
        let again = try host.request("POST", "/api/patches", body: regexPatch(id: "same"))
        #expect(again.status == 200)
        #expect(json(again)?["result"]?["status"] == "duplicate")
        let conflict = try host.request("POST", "/api/patches", body: regexPatch(id: "same", replacement: "zz"))
        #expect(conflict.status == 409)
        #expect(code(conflict) == "id_conflict")

        #expect(await eventually { files(in: host.folder + "/patches/.completed").count == 2 })
        // Applied exactly once: a second application would have made "aaaa".
        await pause(0.3)
        #expect(readText(host.folder + "/src/App.tsx") == "aa\n")
        #expect(files(in: host.folder + "/patches/.completed").count == 2)
        #expect(files(in: host.folder + "/patches/.failed").isEmpty)
        #expect(json(try host.request("GET", "/api/status"))?["queues"]?["default"]?["depth"] == 0)
        #expect(await host.stop() == 0)
    }

    @Test func bearerTokenAndHMACSignatureAreChecked() async throws {
        let folder = try makeTempFolder("cli")
        try write("a\n", to: folder + "/src/App.tsx")
        try write(
            """
            http:
              token_env: TEST_GHOST_TOKEN
              hmac_secret: s3cret
            """,
            to: folder + "/ghost.yml"
        )
        let host = try await ServeProcess.start(folder: folder, environment: ["TEST_GHOST_TOKEN": "t0ken"])
        let body = regexPatch(id: "auth")
        let none = try host.request("POST", "/api/patches", body: body)
        #expect(none.status == 401)
        #expect(json(none)?["result"]?["error"]?["code"] == "unauthorized")
        #expect(try host.request("POST", "/api/patches", body: body, headers: [("Authorization", "Bearer wrong")]).status == 401)
        #expect(try host.request("GET", "/api/patches/auth").status == 401)
        #expect(try host.request("GET", "/health").status == 200)

        let badSignature = "sha256=" + String(repeating: "0", count: 64)
        #expect(try host.request("POST", "/api/patches", body: body, headers: [("X-Hub-Signature-256", badSignature)]).status == 401)
        let signature = "sha256=" + HMACSignature.hex(Array(body.utf8), secret: "s3cret")
        let signed = try host.request("POST", "/api/patches", body: body, headers: [("X-Hub-Signature-256", signature)])
        #expect(signed.status == 202)
        let tokened = try host.request("POST", "/api/patches", body: regexPatch(id: "auth2"), headers: [("Authorization", "Bearer t0ken")])
        #expect(tokened.status == 202)
        #expect(try host.request("GET", "/api/patches/auth", headers: [("Authorization", "Bearer t0ken")]).status == 200)
        #expect(await eventually { readText(folder + "/src/App.tsx") == "aaaa\n" })
        #expect(await host.stop() == 0)
    }

    @Test func refusesToListenBeyondLoopbackWithoutCredentials() async throws {
        try await expectServeRefuses(
            config: "http:\n  host: 0.0.0.0\n",
            arguments: ["--config", "ghost.yml"],
            mentions: ["http.host", "beyond loopback"]
        )
    }

    @Test func twoQueuesApplyToTheirOwnWorkspaces() async throws {
        let folder = try makeTempFolder("cli")
        try write("a\n", to: folder + "/main-ws/src/App.tsx")
        try write("a\n", to: folder + "/cyops-ws/src/App.tsx")
        try write(
            """
            default_queue: MAIN
            queues:
              MAIN: {dir: MAIN/patches, workspace: main-ws}
              CYOPS:
                dir: CYOPS/patches
                workspace: cyops-ws
                aliases: [/Users/sawyer/gitSync]
            """,
            to: folder + "/ghost.yml"
        )
        let host = try await ServeProcess.start(folder: folder)
        #expect(try host.request("POST", "/api/patches", body: regexPatch(id: "m1", replacement: "main")).status == 202)
        let cyops = try host.request(
            "POST",
            "/api/queues/CYOPS/patches?wait=10",
            body: regexPatch(id: "m1", file: "/Users/sawyer/gitSync/src/App.tsx", replacement: "cyops")
        )
        #expect(cyops.status == 200)
        #expect(json(cyops)?["result"]?["queue"] == "CYOPS")
        #expect(json(cyops)?["result"]?["status"] == "applied")
        #expect(await eventually { readText(folder + "/main-ws/src/App.tsx") == "main\n" })
        #expect(readText(folder + "/cyops-ws/src/App.tsx") == "cyops\n")
        #expect(await eventually { files(in: folder + "/MAIN/patches/.completed").count == 2 })
        #expect(files(in: folder + "/CYOPS/patches/.completed").count == 2)
        #expect(await host.stop() == 0)
    }
}
