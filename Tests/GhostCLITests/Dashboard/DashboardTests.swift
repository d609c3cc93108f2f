import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// The dashboard against the real `ghost serve`: the page and its policy, the session cookie and every
/// defence around it (a wrong token, a missing CSRF header, a cross-origin post, `read_only`), and turning it off.
@Suite struct DashboardTests {
    static let token = "dashboard-test-token-0123456789abcdef"
    static let policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    /// A host with `config` (a token from the environment when it names `token_env`).
    static func start(_ config: String = "") async throws -> ServeProcess {
        let folder = try makeTempFolder("dash")
        try write("a\n", to: folder + "/src/App.tsx")
        try write(config + "\nqueues:\n  default:\n    dir: patches\n    workspace: .\n", to: folder + "/ghost.yml")
        return try await ServeProcess.start(folder: folder, environment: ["DASH_TOKEN": token])
    }

    /// Signs in and returns the `Cookie` header value.
    static func signIn(_ host: ServeProcess) throws -> String {
        let answer = try host.request("POST", "/api/session", body: #"{"token": "\#(token)"}"#, headers: [("Content-Type", "application/json")])
        let setCookie = answer.headers["set-cookie"] ?? ""
        return String(setCookie.prefix { $0 != ";" })
    }

    /// The headers a same-origin `fetch` of the dashboard sends with a state-changing call.
    static func pageHeaders(_ host: ServeProcess, cookie: String, csrf: Bool = true) -> [(String, String)] {
        var headers = [
            ("Cookie", cookie), ("Origin", "http://127.0.0.1:\(host.port)"), ("Sec-Fetch-Site", "same-origin"), ("Content-Type", "application/json"),
        ]
        if csrf { headers.append(("X-Ghost-CSRF", "1")) }
        return headers
    }

    static func isPaused(_ host: ServeProcess) throws -> Bool? {
        json(try host.request("GET", "/api/status", headers: [("Authorization", "Bearer \(token)")]))?["queues"]?["default"]?["paused"]?.boolValue
    }

    @Test func thePageAndItsAssetsAreServedWithAStrictPolicy() async throws {
        let host = try await Self.start()
        for (path, type) in [
            ("/", "text/html"), ("/assets/app.js", "text/javascript"), ("/assets/app.css", "text/css"), ("/assets/icon.svg", "image/svg+xml"),
        ] {
            let answer = try host.request("GET", path)
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"]?.hasPrefix(type) == true)
            #expect(answer.headers["content-security-policy"] == Self.policy)
            #expect(answer.headers["x-content-type-options"] == "nosniff")
            #expect(answer.headers["referrer-policy"] == "no-referrer")
            #expect(!answer.body.isEmpty)
        }
        let page = try host.request("GET", "/").text
        #expect(page.contains(#"<script src="/assets/app.js" defer></script>"#))
        // The policy forbids inline script and style: the page must hold none.
        #expect(page.components(separatedBy: "<script").count == 2)
        #expect(!page.contains("style=") && !page.contains("<style"))
        #expect(page.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil)
        #expect(!page.contains("http://") && !page.contains("https://"))
        // Values from the host go into the page as text: the script never parses HTML or code.
        let script = try host.request("GET", "/assets/app.js").text
        for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] { #expect(!script.contains(sink)) }
        #expect(try host.request("GET", "/assets/nothing.js").status == 404)
        #expect(await host.stop() == 0)
    }

    @Test func aSessionCookieOpensTheAPIAndNeverHoldsTheToken() async throws {
        let host = try await Self.start("http: {token_env: DASH_TOKEN}")
        let before = json(try host.request("GET", "/api/session"))
        #expect(before?["required"] == true)
        #expect(before?["authenticated"] == false)
        #expect(try host.request("GET", "/api/status").status == 401)

        let answer = try host.request("POST", "/api/session", body: #"{"token": "\#(Self.token)"}"#, headers: [("Content-Type", "application/json")])
        #expect(answer.status == 200)
        let setCookie = answer.headers["set-cookie"] ?? ""
        #expect(setCookie.hasPrefix("ghost_session="))
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] { #expect(setCookie.contains(attribute)) }
        #expect(!setCookie.contains(Self.token))
        let cookie = String(setCookie.prefix { $0 != ";" })

        #expect(json(try host.request("GET", "/api/session", headers: [("Cookie", cookie)]))?["authenticated"] == true)
        #expect(try host.request("GET", "/api/status", headers: [("Cookie", cookie)]).status == 200)
        #expect(try host.request("GET", "/api/patches", headers: [("Cookie", "other=1; " + cookie)]).status == 200)
        let paused = try host.request("POST", "/api/queues/default/pause", body: "{}", headers: Self.pageHeaders(host, cookie: cookie))
        #expect(paused.status == 200)
        #expect(try Self.isPaused(host) == true)
        // A cookie does not submit patches: that takes the token itself.
        #expect(try host.request("POST", "/api/patches", body: regexPatch(id: "c1"), headers: Self.pageHeaders(host, cookie: cookie)).status == 401)
        #expect(await host.stop() == 0)
    }

    @Test func aWrongTokenOrAForgedCookieGetsNoSession() async throws {
        let host = try await Self.start("http: {token_env: DASH_TOKEN}")
        let json = [("Content-Type", "application/json")]
        for body in [#"{"token": "wrong"}"#, #"{"token": "\#(Self.token)x"}"#, #"{"token": ""}"#, #"{}"#, "not json"] {
            let answer = try host.request("POST", "/api/session", body: body, headers: json)
            #expect(answer.status == 401 || answer.status == 400)
            #expect(answer.headers["set-cookie"] == nil)
        }
        let cookie = try Self.signIn(host)
        let value = cookie.dropFirst("ghost_session=".count)
        let expiry = value.prefix { $0 != "." }
        let mac = value.drop { $0 != "." }.dropFirst()
        let forged = [
            "ghost_session=\(Int(expiry)! + 1).\(mac)",  // a later expiry under the same MAC
            "ghost_session=\(expiry).\(String(repeating: "0", count: 64))",
            "ghost_session=\(Self.token)",
            "ghost_session=",
        ]
        for forgery in forged { #expect(try host.request("GET", "/api/status", headers: [("Cookie", forgery)]).status == 401) }
        // A wrong credential presented is refused even beside a good cookie.
        #expect(try host.request("GET", "/api/status", headers: [("Cookie", cookie)]).status == 200)
        #expect(try host.request("GET", "/api/status", headers: [("Cookie", cookie), ("Authorization", "Bearer wrong")]).status == 401)
        #expect(await host.stop() == 0)
    }

    /// The attacks a page elsewhere can send with the user's cookie: a post without the CSRF header (a form,
    /// a `no-cors` fetch), and a cross-origin post with it. Neither pauses the queue.
    @Test func cookieCallsWithoutTheCSRFHeaderOrFromAnotherOriginAreRefused() async throws {
        let host = try await Self.start("http: {token_env: DASH_TOKEN}")
        let cookie = try Self.signIn(host)
        let bare = try host.request("POST", "/api/queues/default/pause", body: "{}", headers: Self.pageHeaders(host, cookie: cookie, csrf: false))
        #expect(bare.status == 403)
        #expect(json(bare)?["result"]?["error"]?["code"] == "forbidden")
        let form = try host.request(
            "POST",
            "/api/queues/default/pause",
            body: "a=1",
            headers: [("Cookie", cookie), ("Origin", "http://evil.example"), ("Content-Type", "application/x-www-form-urlencoded")]
        )
        #expect(form.status == 403)
        var crossOrigin = Self.pageHeaders(host, cookie: cookie)
        crossOrigin[1] = ("Origin", "http://localhost:3000")
        crossOrigin[2] = ("Sec-Fetch-Site", "same-site")
        #expect(try host.request("POST", "/api/queues/default/pause", body: "{}", headers: crossOrigin).status == 403)
        #expect(try host.request("OPTIONS", "/api/queues/default/pause", headers: [("Origin", "http://localhost:3000")]).status == 403)
        #expect(try Self.isPaused(host) == false)
        #expect(await host.stop() == 0)
    }

    @Test func readOnlyRefusesThePageButNotTheToken() async throws {
        let host = try await Self.start("http: {token_env: DASH_TOKEN}\ndashboard: {read_only: true}")
        #expect(json(try host.request("GET", "/api/session"))?["read_only"] == true)
        let cookie = try Self.signIn(host)
        #expect(try host.request("GET", "/api/status", headers: [("Cookie", cookie)]).status == 200)
        for path in ["/api/queues/default/pause", "/api/patches/x/retry", "/api/patches/x/cancel"] {
            let refused = try host.request("POST", path, body: "{}", headers: Self.pageHeaders(host, cookie: cookie))
            #expect(refused.status == 403)
            #expect(json(refused)?["result"]?["error"]?["message"]?.stringValue?.contains("read-only") == true)
        }
        #expect(try Self.isPaused(host) == false)
        #expect(try host.request("POST", "/api/queues/default/pause", headers: [("Authorization", "Bearer \(Self.token)")]).status == 200)
        #expect(await host.stop() == 0)
    }

    /// Without credentials the page signs in to nothing: read-only refuses calls that come from a page.
    @Test func readOnlyOnAnOpenHostRefusesPagesButNotScripts() async throws {
        let host = try await Self.start("dashboard: {read_only: true}")
        let page = [("Origin", "http://127.0.0.1:\(host.port)"), ("Content-Type", "application/json"), ("X-Ghost-CSRF", "1")]
        #expect(try host.request("POST", "/api/queues/default/pause", body: "{}", headers: page).status == 403)
        #expect(json(try host.request("GET", "/api/status"))?["queues"]?["default"]?["paused"] == false)
        #expect(try host.request("POST", "/api/queues/default/pause").status == 200)
        #expect(await host.stop() == 0)
    }

    @Test func aDisabledDashboardIsNotServed() async throws {
        let host = try await Self.start("dashboard: {enabled: false}")
        for path in ["/", "/assets/app.js", "/assets/app.css", "/api/session"] {
            #expect(try host.request("GET", path).status == 404)
        }
        #expect(try host.request("GET", "/api/status").status == 200)
        #expect(await host.stop() == 0)
    }

    @Test func aBadDashboardSectionStopsTheHost() async throws {
        try await expectServeRefuses(config: "dashboard: {readonly: true}\n", mentions: ["dashboard.readonly", "unknown key"])
        try await expectServeRefuses(config: "dashboard: {enabled: maybe}\n", mentions: ["dashboard.enabled"])
    }
}
