import ApplierAPI
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The dashboard's routes: the page and its assets, the session a browser signs in with, and the defences
/// of the calls a signed-in page makes.
///
/// - `GET /`, `GET /assets/app.js`, `GET /assets/app.css`: embedded files, with a strict
///   Content-Security-Policy; 404 when `dashboard.enabled` is false.
/// - `GET /api/session`: whether the page must sign in, whether it has, and whether it is read-only.
/// - `POST /api/session` `{"token": ...}`: sets an `HttpOnly; SameSite=Strict` cookie holding a session
///   value derived from the credentials (never the token); `DELETE /api/session` removes it.
extension HTTPTransport {
    /// The header a state-changing call authenticated by the cookie must carry. A cross-site form cannot
    /// send it, and a cross-site `fetch` that sets it needs a preflight the host refuses.
    static let csrfField = HTTPField.Name("X-Ghost-CSRF")!
    private static let secFetchSiteField = HTTPField.Name("Sec-Fetch-Site")!
    private static let referrerPolicyField = HTTPField.Name("Referrer-Policy")!
    private static let frameOptionsField = HTTPField.Name("X-Frame-Options")!

    func addDashboardRoutes(to router: Router<BasicRequestContext>) {
        guard settings.dashboard.enabled else { return }
        for asset in DashboardAssets.all {
            router.get(RouterPath(asset.path)) { _, _ in Self.asset(asset) }
        }
        router.get("/api/session") { request, _ in
            let body: JSONValue = [
                "required": .bool(self.session.isRequired),
                "authenticated": .bool(!self.session.isRequired || self.hasSession(request)),
                "read_only": .bool(self.settings.dashboard.readOnly),
            ]
            return Self.json(.ok, body)
        }
        router.post("/api/session") { request, _ in await self.signIn(request) }
        router.delete("/api/session") { _, _ in
            var response = Self.json(.ok, ["result": ["success": true]])
            response.headers[.setCookie] = SessionCookie.clearCookie
            return response
        }
        router.get("/api/events") { request, _ in
            if let refusal = self.refuseUnauthorized(request) { return refusal }
            return self.eventStream()
        }
    }

    /// True when the request carries a valid session cookie (and the dashboard is on).
    func hasSession(_ request: Request) -> Bool {
        guard settings.dashboard.enabled, let value = SessionCookie.value(in: request.headers[values: .cookie]) else { return false }
        return session.isValid(value)
    }

    /// Refuses a state-changing call made by a browser that the dashboard's settings forbid: one signed in by
    /// cookie without the CSRF header, and under `read_only` one signed in by cookie, or sent by a page to a
    /// host without credentials. Reads always pass.
    func refuseBrowserAction(_ request: Request, bySession: Bool) -> Response? {
        guard request.method != .get && request.method != .head else { return nil }
        if bySession && request.headers[Self.csrfField] != "1" {
            return Self.forbidden("a call signed in by the dashboard's cookie must carry the header X-Ghost-CSRF: 1")
        }
        let fromPage = request.headers[.origin] != nil || request.headers[Self.secFetchSiteField] != nil
        if settings.dashboard.readOnly && (bySession || (authenticator.isOpen && fromPage)) {
            return Self.forbidden("the dashboard is read-only (dashboard.read_only): it cannot change patches or queues")
        }
        return nil
    }

    private func signIn(_ request: Request) async -> Response {
        guard session.isRequired else {
            return Self.json(.ok, ["result": ["success": true, "message": "this host needs no token"]])
        }
        let body: JSONValue
        do {
            let buffer = try await request.body.collect(upTo: 4096)
            body = try JSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            return Self.error(ApplyError(.invalidJSON, "send {\"token\": \"...\"} as JSON"))
        }
        guard let token = body["token"]?.stringValue, session.accepts(token: token), let value = session.issue() else {
            return Self.error(ApplyError(.unauthorized, "wrong token"))
        }
        var response = Self.json(.ok, ["result": ["success": true, "expires_in": .number(Double(SessionCookie.lifetime))]])
        response.headers[.setCookie] = SessionCookie.setCookie(value)
        return response
    }

    private static func asset(_ asset: DashboardAssets.Asset) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.cacheControl] = "no-cache"
        headers[.contentSecurityPolicy] = DashboardAssets.contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[Self.referrerPolicyField] = "no-referrer"
        headers[Self.frameOptionsField] = "DENY"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: asset.text)))
    }

    private static func forbidden(_ message: String) -> Response {
        error(ApplyError(.forbidden, message))
    }
}
