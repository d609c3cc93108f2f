import ApplierAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
package import Logging
import NIOCore
package import Supervision

/// The HTTP transport: the seed receiver's API on port 5051, with durable acknowledgement, auth and limits.
///
/// Routes: `GET /health`, `GET /metrics`, `POST /api/patches`, `POST /api/queues/{queue}/patches`
/// (`?wait=SECONDS`), `GET /api/patches/{id}` and `GET /api/status`, and the dashboard's (`HTTPTransport+Dashboard.swift`).
/// Every error answers `{"result":{"success":false,"error":{"code":...,"message":...}}}`.
package struct HTTPTransport: Sendable {
    /// Where and how to listen.
    package let settings: HTTPSettings
    let intake: any PatchIntake
    private let health: HealthBoard
    private let logger: Logger
    let authenticator: RequestAuthenticator
    /// The dashboard's session cookie, derived from the host's credentials.
    let session: SessionCookie
    private let queueAuthenticators: [String: RequestAuthenticator]
    private let gate: RequestGate
    private let onListening: @Sendable (String, Int) async -> Void

    /// A transport feeding `intake`; `onListening` is told the bound host and port (useful with port 0).
    package init(
        settings: HTTPSettings,
        intake: any PatchIntake,
        health: HealthBoard,
        logger: Logger,
        onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) {
        self.settings = settings
        self.intake = intake
        self.health = health
        self.logger = logger
        self.authenticator = RequestAuthenticator(token: settings.token, hmacSecret: settings.hmacSecret)
        self.session = SessionCookie(token: settings.token, hmacSecret: settings.hmacSecret)
        self.queueAuthenticators = settings.queueCredentials.mapValues { RequestAuthenticator(token: $0.token, hmacSecret: $0.hmacSecret) }
        self.gate = RequestGate(boundHost: settings.host, allowedHosts: settings.allowedHosts, allowedOrigins: settings.allowedOrigins)
        self.onListening = onListening
    }

    /// The component name on the health board.
    package static let componentName = "http"

    /// Serves until the host shuts down; throws when the server cannot run (the supervisor restarts it), and
    /// ``ListenError`` when it never listened: the address stayed taken for ``bindPatience`` (the previous
    /// host may still be letting go of it after a restart; past that, restarting cannot help).
    package func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        while true {
            do {
                try await makeApplication().run()
                return
            } catch {
                guard await health.state(of: Self.componentName) != .up else { throw error }
                let taken = (error as? IOError)?.errnoCode == EADDRINUSE || "\(error)".contains("Address already in use")
                guard taken, clock.now - started < Self.bindPatience, !Task.isCancelled else {
                    throw ListenError(address: "\(settings.host):\(settings.port)", underlying: error)
                }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// How long a taken address is tried again before the host gives up.
    static let bindPatience: Duration = .seconds(10)

    private func makeApplication() -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: GateMiddleware(gate: gate))
        addRoutes(to: router)
        addDashboardRoutes(to: router)
        let health = self.health
        let onListening = self.onListening
        let host = settings.host
        let connections = ConnectionGuard(capacity: settings.maxConnections)
        let (headerTimeout, bodyTimeout) = (settings.headerTimeout, settings.bodyTimeout)
        return Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [
                        ConnectionDeadlineHandler(connections: connections, headerTimeout: headerTimeout, bodyTimeout: bodyTimeout)
                    ],
                    idleTimeout: .nanoseconds(Int64(settings.idleTimeout.milliseconds * 1_000_000))
                )
            ),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "ghost"),
            onServerRunning: { channel in
                await health.set(Self.componentName, .up)
                await onListening(host, channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
    }

    private func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/health") { _, _ in await self.healthResponse() }
        // For orchestrators: alive while the process answers at all; ready while every component is up.
        router.get("/livez") { _, _ in Self.json(.ok, ["status": "alive"]) }
        router.get("/readyz") { _, _ in
            let ready = await self.health.isHealthy()
            return Self.json(ready ? .ok : .serviceUnavailable, ["status": .string(ready ? "ready" : "not ready")])
        }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: await self.intake.metricsText())))
        }
        router.post("/api/patches") { request, _ in await self.receive(request, queue: nil) }
        router.post("/api/queues/:queue/patches") { request, context in
            await self.receive(request, queue: Self.decoded(context.parameters.get("queue") ?? ""))
        }
        router.get("/api/patches/:id") { request, context in
            if let refusal = self.refuseUnauthorized(request) { return refusal }
            // Clients encode ids in paths (`encodeURIComponent` turns `fix:1` into `fix%3A1`).
            let id = Self.decoded(context.parameters.get("id") ?? "")
            guard let found = await self.intake.lookup(id: id) else {
                return Self.error(ApplyError(.notFound, "no patch with id '\(id)' in any queue"))
            }
            return Self.json(.ok, found)
        }
        authorized(router, .get, "/api/patches") { request, _ throws(ApplyError) in
            (.ok, try await self.intake.list(try Self.patchQuery(request.uri.queryParameters)))
        }
        authorized(router, .post, "/api/patches/:id/retry") { _, id throws(ApplyError) in
            (.accepted, ["result": .object(Self.result(try await self.intake.retry(id: id)))])
        }
        authorized(router, .post, "/api/patches/:id/revert") { _, id throws(ApplyError) in
            (.accepted, ["result": .object(Self.result(try await self.intake.revert(id: id)))])
        }
        authorized(router, .post, "/api/patches/:id/cancel") { _, id throws(ApplyError) in
            (.ok, ["result": ["success": true, "status": "cancelled", "receipt": try await self.intake.cancel(id: id)]])
        }
        for (action, paused) in [("pause", true), ("resume", false)] {
            authorized(router, .post, "/api/queues/:queue/\(action)") { _, queue throws(ApplyError) in
                (.ok, ["result": ["success": true, "queue": try await self.intake.setPaused(paused, queue: queue)]])
            }
        }
        authorized(router, .get, "/api/schema") { request, _ throws(ApplyError) in
            let roles = try await self.intake.roles()
            guard let tools = request.uri.queryParameters.get("tools") else { return (.ok, PatchSchema.document(for: roles)) }
            guard let shape = PatchSchema.ToolShape(rawValue: tools) else {
                throw ApplyError(.invalidPatch, "tools must be one of \(PatchSchema.ToolShape.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return (.ok, PatchSchema.tools(for: roles, shape: shape))
        }
        router.get("/api/status") { request, _ in
            if let refusal = self.refuseUnauthorized(request) { return refusal }
            return Self.json(.ok, await self.intake.status())
        }
    }

    /// A route that takes the host's credentials (or the dashboard's session) and answers JSON: `body` gets
    /// the request and the path's one parameter (`:id` or `:queue`, percent-decoded; empty when there is
    /// none), and its error becomes the usual error answer.
    private func authorized(
        _ router: Router<BasicRequestContext>,
        _ method: HTTPRequest.Method,
        _ path: RouterPath,
        _ body: @escaping @Sendable (Request, String) async throws(ApplyError) -> (HTTPResponse.Status, JSONValue)
    ) {
        router.on(path, method: method) { request, context in
            if let refusal = self.refuseUnauthorized(request) { return refusal }
            let parameter = Self.decoded(context.parameters.get("id") ?? context.parameters.get("queue") ?? "")
            do throws(ApplyError) {
                let (status, value) = try await body(request, parameter)
                return Self.json(status, value)
            } catch {
                return Self.error(error)
            }
        }
    }

    private func healthResponse() async -> Response {
        let healthy = await health.isHealthy()
        let body: JSONValue = [
            "status": .string(healthy ? "healthy" : "degraded"),
            "timestamp": .string(Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))),
            "components": await health.json(includingErrors: false),
        ]
        return Self.json(healthy ? .ok : .serviceUnavailable, body)
    }

    /// GET routes have no body: the bearer token (or, with only an HMAC secret, a signature of the empty body)
    /// decides, or the dashboard's session cookie. Routes that span queues take the host's own credentials only.
    /// A state-changing call from the dashboard must also pass ``refuseBrowserAction(_:bySession:)``.
    func refuseUnauthorized(_ request: Request) -> Response? {
        let authorized = authenticator.authorize(
            authorization: request.headers[.authorization],
            signature: request.headers[Self.signatureField],
            body: []
        )
        // A credential presented and wrong is refused, whatever cookie comes with it.
        let presented = request.headers[.authorization] != nil || request.headers[Self.signatureField] != nil
        let bySession = !authorized && !presented && hasSession(request)
        guard authorized || bySession else { return Self.error(ApplyError(.unauthorized, "missing or wrong credentials")) }
        return refuseBrowserAction(request, bySession: bySession)
    }

    /// A path segment with its percent-escapes decoded (as sent when it is not valid percent-encoding).
    static func decoded(_ segment: String) -> String {
        segment.removingPercentEncoding ?? segment
    }

    private func receive(_ request: Request, queue: String?) async -> Response {
        let authorization = request.headers[.authorization]
        // A queue with credentials of its own takes those or the host's; other queues, the host's.
        let queueAuthenticator = queueAuthenticators[queue ?? settings.defaultQueue]
        let open = authenticator.isOpen && queueAuthenticator == nil
        // An open host authenticator admits anything, so it counts only when it has credentials of its own.
        let host = authenticator.isOpen ? nil : authenticator
        guard open || host?.bearerAcceptable(authorization) == true || queueAuthenticator?.bearerAcceptable(authorization) == true else {
            return Self.error(ApplyError(.unauthorized, "missing or wrong credentials"))
        }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > settings.maxBodyBytes {
            return Self.error(ApplyError(.limitExceeded, "body of \(declared) bytes is over the limit of \(settings.maxBodyBytes) bytes"))
        }
        let body: [UInt8]
        do {
            let buffer = try await request.body.collect(upTo: settings.maxBodyBytes)
            body = Array(buffer.readableBytesView)
        } catch {
            return Self.error(ApplyError(.limitExceeded, "body is over the limit of \(settings.maxBodyBytes) bytes"))
        }
        let signature = request.headers[Self.signatureField]
        let authorized =
            open || host?.authorize(authorization: authorization, signature: signature, body: body) == true
            || queueAuthenticator?.authorize(authorization: authorization, signature: signature, body: body) == true
        guard authorized else { return Self.error(ApplyError(.unauthorized, "missing or wrong credentials")) }
        let acceptance: Acceptance
        do {
            acceptance = try await intake.submit(Delivery(body: body, queue: queue, source: .http))
        } catch {
            return Self.error(error)
        }
        var result = Self.result(acceptance)
        if acceptance.state == .duplicate { return Self.json(.ok, ["result": .object(result)]) }
        if let wait = Self.waitSeconds(request), wait > 0 {
            let timeout = Duration.seconds(wait, atMost: settings.maxWait)
            if let receipt = await intake.waitForReceipt(id: acceptance.patchID, queue: acceptance.queue, timeout: timeout) {
                let status = receipt["status"]?.stringValue ?? "failed"
                result["status"] = .string(status)
                result["success"] = .bool(status != "failed")
                result["message"] = .string(receipt["message"]?.stringValue ?? "Patch \(status)")
                result["receipt"] = receipt
                return Self.json(.ok, ["result": .object(result)])
            }
            result["message"] = .string("Patch queued in \(acceptance.queue); not finished after \(wait) s")
        }
        return Self.json(.accepted, ["result": .object(result)])
    }

    /// The `result` object of an acceptance: the old receiver's fields, and the attempt when it is not the first.
    static func result(_ acceptance: Acceptance) -> [String: JSONValue] {
        var result: [String: JSONValue] = [
            "success": true,
            "patch_id": .string(acceptance.patchID),
            "queue": .string(acceptance.queue),
            "filepath": .string(acceptance.filepath),
            "status": .string(acceptance.state.rawValue),
        ]
        if acceptance.attempt != 1 { result["attempt"] = .number(Double(acceptance.attempt)) }
        switch acceptance.state {
        case .duplicate:
            result["message"] = .string(
                acceptance.note ?? "Patch \(acceptance.patchID) was already received with the same content; not applied again"
            )
            if let receipt = acceptance.receipt { result["receipt"] = receipt }
        case .queued:
            result["message"] = .string(acceptance.note ?? "Patch queued in \(acceptance.queue)")
        }
        return result
    }

    /// The filter of `GET /api/patches` from its query string.
    static func patchQuery(_ parameters: FlatDictionary<Substring, Substring>) throws(ApplyError) -> PatchQuery {
        // Hummingbird has decoded the values' percent-escapes already.
        func text(_ key: String) -> String? { parameters[Substring(key)].flatMap { $0.isEmpty ? nil : String($0) } }
        var query = PatchQuery(
            queue: text("queue"),
            status: text("status"),
            reason: text("reason"),
            role: text("role"),
            idContains: text("q"),
            cursor: text("cursor")
        )
        if let limit = text("limit") {
            guard let value = Int(limit) else { throw ApplyError(.invalidPatch, "limit must be a whole number, not '\(limit)'") }
            query.limit = min(max(value, 1), 500)
        }
        if let since = text("since") {
            guard let date = try? Date.ISO8601FormatStyle().parse(since) else {
                throw ApplyError(.invalidPatch, "since must be an ISO 8601 time such as 2026-12-01T10:00:00Z, not '\(since)'")
            }
            query.since = date
        }
        return query
    }

    private static func waitSeconds(_ request: Request) -> Double? {
        request.uri.queryParameters["wait"].flatMap { Double(String($0)) }.flatMap { $0.isFinite ? $0 : nil }
    }

    private static let signatureField = HTTPField.Name("X-Hub-Signature-256")!

    /// The HTTP status for each reason a delivery can be refused with.
    static func status(for reason: Reason) -> HTTPResponse.Status {
        switch reason {
        case .invalidJSON: .badRequest
        case .unauthorized: .unauthorized
        case .unknownQueue, .notFound: .notFound
        case .idConflict, .conflict: .conflict
        case .limitExceeded: .contentTooLarge
        // A pattern that does not compile is the patch's fault, found by the role's check at intake.
        case .invalidPatch, .unknownRole, .regexError: .unprocessableContent
        case .unavailable: .serviceUnavailable
        case .misdirectedRequest: .misdirectedRequest
        case .forbiddenOrigin, .forbidden: .forbidden
        case .unsupportedMediaType: .unsupportedMediaType
        default: .internalServerError
        }
    }

    static func error(_ error: ApplyError) -> Response {
        let body: JSONValue = [
            "result": [
                "success": false,
                "error": ["code": .string(error.reason.rawValue), "message": .string(error.message)],
            ]
        ]
        return json(status(for: error.reason), body)
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        var bytes = value.serializedBytes
        bytes.append(UInt8(ascii: "\n"))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
