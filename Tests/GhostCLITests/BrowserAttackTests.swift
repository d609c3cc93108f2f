import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// A web page in the user's browser can reach a loopback port without credentials: the exact request
/// shapes a browser sends must not get a patch applied or read a receipt.
@Suite struct BrowserAttackTests {
    private static let evil = "https://evil.example"

    /// Asserts nothing was applied or filed.
    private func expectUntouched(_ host: ServeProcess) async throws {
        try await Task.sleep(for: .milliseconds(300))
        #expect(readText(host.folder + "/src/App.tsx") == "a\n")
        #expect(files(in: host.folder + "/patches/.completed").isEmpty)
        #expect(files(in: host.folder + "/patches/.failed").isEmpty)
    }

    @Test func crossOriginSimpleRequestsAreRefusedAndNothingIsApplied() async throws {
        let host = try await ServeHTTPTests.startDefault()
        // A page's fetch(url, {method: "POST", mode: "no-cors", body}) sends text/plain with its Origin.
        let textPlain = try host.request(
            "POST",
            "/api/patches",
            body: regexPatch(id: "t1"),
            headers: [
                ("Origin", Self.evil), ("Content-Type", "text/plain;charset=UTF-8"), ("Sec-Fetch-Site", "cross-site"),
                ("Sec-Fetch-Mode", "no-cors"),
            ]
        )
        #expect(textPlain.status == 403)
        #expect(json(textPlain)?["result"]?["error"]?["code"] == "forbidden_origin")
        // A <form method=post> posts form-encoded, with Origin.
        let form = try host.request(
            "POST",
            "/api/patches",
            body: "x=" + regexPatch(id: "t2"),
            headers: [("Origin", Self.evil), ("Content-Type", "application/x-www-form-urlencoded")]
        )
        #expect(form.status == 403)
        // A sandboxed iframe or a file: page sends Origin: null.
        let null = try host.request(
            "POST",
            "/api/patches",
            body: regexPatch(id: "t3"),
            headers: [("Origin", "null"), ("Content-Type", "text/plain")]
        )
        #expect(null.status == 403)
        // Even JSON is refused from another origin (a CORS preflight would not be answered either).
        let json = try host.request(
            "POST",
            "/api/patches",
            body: regexPatch(id: "t4"),
            headers: [("Origin", "http://localhost:3000"), ("Content-Type", "application/json"), ("Sec-Fetch-Site", "same-site")]
        )
        #expect(json.status == 403)
        // A browser that sends Sec-Fetch-* but no Origin, with a body that is not JSON.
        let navigation = try host.request(
            "POST",
            "/api/patches",
            body: regexPatch(id: "t5"),
            headers: [("Content-Type", "text/plain"), ("Sec-Fetch-Mode", "navigate")]
        )
        #expect(navigation.status == 415)
        #expect(GhostCLITests.json(navigation)?["result"]?["error"]?["code"] == "unsupported_media_type")
        // No CORS headers for an origin the config does not list.
        let preflight = try host.request(
            "OPTIONS",
            "/api/patches",
            headers: [("Origin", Self.evil), ("Access-Control-Request-Method", "POST")]
        )
        #expect(preflight.status == 403)
        #expect(preflight.headers["access-control-allow-origin"] == nil)
        try await expectUntouched(host)
        #expect(try host.request("GET", "/health").status == 200)
        #expect(await host.stop() == 0)
    }

    @Test func aRebindingHostNameIsRefusedOnEveryRoute() async throws {
        let host = try await ServeHTTPTests.startDefault()
        let foreign = [("Host", "evil.example:\(host.port)")]
        for (method, path) in [("GET", "/api/status"), ("GET", "/api/patches/any"), ("GET", "/health"), ("GET", "/metrics")] {
            let response = try host.request(method, path, headers: foreign)
            #expect(response.status == 421, "\(method) \(path)")
            #expect(json(response)?["result"]?["error"]?["code"] == "misdirected_request")
        }
        let posted = try host.request(
            "POST",
            "/api/patches",
            body: regexPatch(id: "r1"),
            headers: foreign + [("Content-Type", "application/json")]
        )
        #expect(posted.status == 421)
        try await expectUntouched(host)
        // Loopback names and addresses pass.
        #expect(try host.request("GET", "/health", headers: [("Host", "localhost:\(host.port)")]).status == 200)
        #expect(try host.request("GET", "/health", headers: [("Host", "127.0.0.1:\(host.port)")]).status == 200)
        #expect(try host.request("GET", "/health", headers: [("Host", "[::1]:\(host.port)")]).status == 200)
        #expect(await host.stop() == 0)
    }

    @Test func curlAndTheSameOriginPageKeepWorking() async throws {
        let host = try await ServeHTTPTests.startDefault()
        // curl -d @fix.json: form-encoded, no Origin, no Sec-Fetch-*.
        let curl = try host.request(
            "POST",
            "/api/patches",
            body: regexPatch(id: "c1"),
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("User-Agent", "curl/8.5.0")]
        )
        #expect(curl.status == 202)
        #expect(await eventually { readText(host.folder + "/src/App.tsx") == "aa\n" })
        // The host's own page: same origin, JSON.
        let page = try host.request(
            "POST",
            "/api/patches",
            body: regexPatch(id: "c2", pattern: "aa", replacement: "b"),
            headers: [
                ("Origin", "http://127.0.0.1:\(host.port)"), ("Content-Type", "application/json"), ("Sec-Fetch-Site", "same-origin"),
                ("Sec-Fetch-Mode", "cors"),
            ]
        )
        #expect(page.status == 202)
        #expect(await eventually { readText(host.folder + "/src/App.tsx") == "b\n" })
        #expect(page.headers["access-control-allow-origin"] == nil)
        #expect(await host.stop() == 0)
    }

    @Test func aCrossOriginPostCannotRunAnAllowedShellCommand() async throws {
        let host = try await ServeHTTPTests.start(
            config: """
                http: {allowed_origins: ["https://app.example"]}
                queues:
                  default:
                    dir: patches
                    workspace: .
                    shell: true
                """
        )
        let folder = host.folder
        let shell = #"{"id":"s1","role":"shell","patch":"touch PWNED"}"#
        let attack = try host.request(
            "POST",
            "/api/patches",
            body: shell,
            headers: [("Origin", Self.evil), ("Content-Type", "text/plain"), ("Sec-Fetch-Site", "cross-site")]
        )
        #expect(attack.status == 403)
        // A listed origin gets CORS headers and its preflight answered; its requests go through.
        let preflight = try host.request(
            "OPTIONS",
            "/api/patches",
            headers: [("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST")]
        )
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == "https://app.example")
        let status = try host.request("GET", "/api/status", headers: [("Origin", "https://app.example"), ("Sec-Fetch-Site", "cross-site")])
        #expect(status.status == 200)
        #expect(status.headers["access-control-allow-origin"] == "https://app.example")
        try await Task.sleep(for: .milliseconds(300))
        #expect(!FileManager.default.fileExists(atPath: folder + "/PWNED"))
        #expect(await host.stop() == 0)
    }
}
