import ApplierAPI
import Crypto
import Foundation
import GhostTesting
import Logging
import Supervision
import Testing

@testable import Transport

/// An intake that records what the transport hands it and answers as the test scripted.
actor FakeIntake: PatchIntake {
    /// One `waitForReceipt` call.
    struct Wait: Equatable {
        var id: String
        var queue: String
        var timeout: Duration
    }

    private(set) var deliveries: [Delivery] = []
    private(set) var waits: [Wait] = []
    private(set) var lookups: [String] = []
    private(set) var statusCalls = 0
    /// The answer to every `submit`; `nil` queues the delivery as `p1` in its queue.
    private let answer: Result<Acceptance, ApplyError>?
    /// Receipts by patch id, for `waitForReceipt` and `lookup`.
    private let receipts: [String: JSONValue]

    static let statusValue: JSONValue = ["queues": ["default": ["pending": 3]]]
    static let metrics = Array("# TYPE ghost_patches_total counter\nghost_patches_total 7\n".utf8)

    init(answer: Result<Acceptance, ApplyError>? = nil, receipts: [String: JSONValue] = [:]) {
        self.answer = answer
        self.receipts = receipts
    }

    func submit(_ delivery: Delivery) async throws(ApplyError) -> Acceptance {
        deliveries.append(delivery)
        if let answer { return try answer.get() }
        let queue = delivery.queue ?? "default"
        return Acceptance(patchID: "p1", queue: queue, state: .queued, filepath: "/spool/\(queue)/p1.json")
    }

    func waitForReceipt(id: String, queue: String, timeout: Duration) async -> JSONValue? {
        waits.append(Wait(id: id, queue: queue, timeout: timeout))
        return receipts[id]
    }

    func lookup(id: String) async -> JSONValue? {
        lookups.append(id)
        return receipts[id]
    }

    func status() async -> JSONValue {
        statusCalls += 1
        return Self.statusValue
    }

    func metricsText() async -> [UInt8] { Self.metrics }

    /// How often the patch list was read.
    private(set) var listCalls = 0

    func list(_ query: PatchQuery) async throws(ApplyError) -> JSONValue {
        listCalls += 1
        return ["patches": [["id": "p1", "status": "applied"]], "next_cursor": .null]
    }
}

/// Runs a real ``HTTPTransport`` on a free loopback port for `body`, then cancels it and waits for it to end.
func withTransport(
    _ settings: HTTPSettings = HTTPSettings(),
    intake: FakeIntake = FakeIntake(),
    health: HealthBoard = HealthBoard(),
    _ body: (LoopbackHTTPClient) async throws -> Void
) async throws {
    var settings = settings
    settings.port = 0
    let (ports, listening) = AsyncStream<Int>.makeStream()
    let transport = HTTPTransport(
        settings: settings,
        intake: intake,
        health: health,
        logger: Logger(label: "http-test") { _ in SwiftLogNoOpLogHandler() },
        onListening: { _, port in listening.yield(port) }
    )
    let server = Task {
        defer { listening.finish() }
        try await transport.run()
    }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next(), port != 0 else {
        let outcome = await server.result
        throw SetupError(message: "the HTTP transport did not listen: \(outcome)")
    }
    do {
        try await body(LoopbackHTTPClient(port: port))
    } catch {
        server.cancel()
        _ = await server.result
        throw error
    }
    server.cancel()
    _ = await server.result
}

func json(_ response: LoopbackHTTPClient.Response) throws -> JSONValue { try JSONParser.parse(response.body) }

/// `result.error.code` of an error answer.
func errorCode(_ response: LoopbackHTTPClient.Response) throws -> String? {
    let result = try json(response)["result"]
    #expect(result?["success"] == false)
    return result?["error"]?["code"]?.stringValue
}

let jsonType = ("Content-Type", "application/json")

@Suite(.timeLimit(.minutes(1))) struct HTTPTransportTests {
    /// Bytes a JSON parser would normalise or reject: CRLF, a tab, trailing blanks, UTF-8 and a stray byte.
    static let oddBody: [UInt8] = Array("{\"id\": \"x\",\r\n\t\"note\": \"é ✓\"}  \n".utf8) + [0xFF, 0x00, 0x7B]

    @Test func aQueuedPatchIs202WithTheAcknowledgementAndTheExactBytesReachTheIntake() async throws {
        let intake = FakeIntake()
        try await withTransport(intake: intake) { client in
            let response = try await client.request("POST", "/api/patches", headers: [jsonType], body: Self.oddBody)
            #expect(response.status == 202)
            #expect(response.headers["content-type"] == "application/json")
            let result = try #require(try json(response)["result"])
            #expect(
                result
                    == [
                        "success": true, "patch_id": "p1", "queue": "default", "filepath": "/spool/default/p1.json", "status": "queued",
                        "message": "Patch queued in default",
                    ]
            )
        }
        let deliveries = await intake.deliveries
        #expect(deliveries.count == 1)
        #expect(deliveries.first?.body == Self.oddBody)
        #expect(deliveries.first?.queue == nil)
        #expect(deliveries.first?.source == .http)
        #expect(deliveries.first?.inboxFile == nil)
        #expect(await intake.waits.isEmpty)
    }

    @Test func theQueueRouteNamesTheQueueToTheIntake() async throws {
        let intake = FakeIntake()
        try await withTransport(intake: intake) { client in
            let response = try await client.request("POST", "/api/queues/staging/patches", headers: [jsonType], body: Array("{}".utf8))
            #expect(response.status == 202)
            #expect(try json(response)["result"]?["queue"] == "staging")
            #expect(try json(response)["result"]?["message"] == "Patch queued in staging")
        }
        #expect(await intake.deliveries.map(\.queue) == ["staging"])
        #expect(await intake.deliveries.map(\.body) == [Array("{}".utf8)])
    }

    @Test func aDuplicateIs200WithTheFirstReceiptAndIsNotWaitedFor() async throws {
        let firstReceipt: JSONValue = ["id": "p1", "status": "applied", "message": "applied 1 operation"]
        let intake = FakeIntake(
            answer: .success(
                Acceptance(patchID: "p1", queue: "default", state: .duplicate, filepath: "/spool/default/p1.json", receipt: firstReceipt)
            )
        )
        try await withTransport(intake: intake) { client in
            let response = try await client.request("POST", "/api/patches?wait=5", headers: [jsonType], body: Array("{}".utf8))
            #expect(response.status == 200)
            let result = try #require(try json(response)["result"])
            #expect(result["success"] == true)
            #expect(result["status"] == "duplicate")
            #expect(result["patch_id"] == "p1")
            #expect(result["receipt"] == firstReceipt)
            #expect(result["message"]?.stringValue?.contains("already received") == true)
        }
        #expect(await intake.deliveries.count == 1)
        #expect(await intake.waits.isEmpty)
    }

    @Test func aDuplicateWhoseFirstDeliveryIsUnfinishedHasNoReceipt() async throws {
        let intake = FakeIntake(answer: .success(Acceptance(patchID: "p1", queue: "default", state: .duplicate, filepath: "/f")))
        try await withTransport(intake: intake) { client in
            let response = try await client.request("POST", "/api/patches", headers: [jsonType], body: Array("{}".utf8))
            #expect(response.status == 200)
            #expect(try json(response)["result"]?["status"] == "duplicate")
            #expect(try json(response)["result"]?["receipt"] == nil)
        }
    }

    @Test func waitReturnsTheReceiptOfTheFinishedPatch() async throws {
        let receipt: JSONValue = ["id": "p1", "status": "applied", "message": "Applied 2 operations"]
        let intake = FakeIntake(receipts: ["p1": receipt])
        try await withTransport(intake: intake) { client in
            let response = try await client.request("POST", "/api/queues/q/patches?wait=2.5", headers: [jsonType], body: Array("{}".utf8))
            #expect(response.status == 200)
            let result = try #require(try json(response)["result"])
            #expect(result["success"] == true)
            #expect(result["status"] == "applied")
            #expect(result["message"] == "Applied 2 operations")
            #expect(result["receipt"] == receipt)
            #expect(result["patch_id"] == "p1")
            #expect(result["queue"] == "q")
        }
        #expect(await intake.waits == [FakeIntake.Wait(id: "p1", queue: "q", timeout: .milliseconds(2500))])
    }

    @Test func aFailedReceiptIsNotASuccess() async throws {
        let receipt: JSONValue = ["id": "p1", "status": "failed", "reason": "no_match"]
        try await withTransport(intake: FakeIntake(receipts: ["p1": receipt])) { client in
            let response = try await client.request("POST", "/api/patches?wait=1", headers: [jsonType], body: Array("{}".utf8))
            #expect(response.status == 200)
            let result = try #require(try json(response)["result"])
            #expect(result["success"] == false)
            #expect(result["status"] == "failed")
            #expect(result["message"] == "Patch failed")
            #expect(result["receipt"] == receipt)
        }
    }

    @Test func aPatchUnfinishedAfterTheWaitIsStill202() async throws {
        let intake = FakeIntake()
        try await withTransport(intake: intake) { client in
            let response = try await client.request("POST", "/api/patches?wait=1", headers: [jsonType], body: Array("{}".utf8))
            #expect(response.status == 202)
            let result = try #require(try json(response)["result"])
            #expect(result["status"] == "queued")
            #expect(result["success"] == true)
            #expect(result["message"]?.stringValue?.contains("not finished after") == true)
        }
        #expect(await intake.waits == [FakeIntake.Wait(id: "p1", queue: "default", timeout: .seconds(1))])
    }

    @Test func aWaitLongerThanTheLimitIsCutToIt() async throws {
        let intake = FakeIntake(receipts: ["p1": ["status": "applied"]])
        try await withTransport(HTTPSettings(maxWait: .seconds(7)), intake: intake) { client in
            for wait in ["60", "1e300"] {
                let response = try await client.request("POST", "/api/patches?wait=\(wait)", headers: [jsonType], body: Array("{}".utf8))
                #expect(response.status == 200)
            }
        }
        #expect(await intake.waits.map(\.timeout) == [.seconds(7), .seconds(7)])
    }

    @Test(arguments: ["0", "-3", "soon", "nan", "inf"])
    func aWaitThatIsNotAPositiveNumberIsNotWaitedFor(wait: String) async throws {
        let intake = FakeIntake(receipts: ["p1": ["status": "applied"]])
        try await withTransport(intake: intake) { client in
            let response = try await client.request("POST", "/api/patches?wait=\(wait)", headers: [jsonType], body: Array("{}".utf8))
            #expect(response.status == 202)
        }
        #expect(await intake.deliveries.count == 1)
        #expect(await intake.waits.isEmpty)
    }

    /// Each reason the intake refuses with, and the status a client sees for it.
    static let refusals: [(Reason, Int)] = [
        (.invalidJSON, 400), (.invalidPatch, 422), (.limitExceeded, 413), (.unknownQueue, 404), (.idConflict, 409),
        (.unavailable, 503), (.ioError, 500),
    ]

    @Test(arguments: HTTPTransportTests.refusals)
    func aRefusalOfTheIntakeHasTheStatusOfItsReason(reason: Reason, status: Int) async throws {
        let intake = FakeIntake(answer: .failure(ApplyError(reason, "scripted \(reason.rawValue)")))
        try await withTransport(intake: intake) { client in
            let response = try await client.request("POST", "/api/queues/q/patches?wait=5", headers: [jsonType], body: Array("{}".utf8))
            #expect(response.status == status)
            #expect(response.headers["content-type"] == "application/json")
            #expect(
                try json(response)
                    == [
                        "result": ["success": false, "error": ["code": .string(reason.rawValue), "message": .string("scripted \(reason.rawValue)")]]
                    ]
            )
        }
        #expect(await intake.deliveries.count == 1)
        #expect(await intake.waits.isEmpty)
    }

    @Test func lookupAnswersTheIntakesRecordOr404() async throws {
        let receipt: JSONValue = ["id": "fix-1", "status": "applied"]
        let intake = FakeIntake(receipts: ["fix-1": receipt])
        try await withTransport(intake: intake) { client in
            let found = try await client.request("GET", "/api/patches/fix-1")
            #expect(found.status == 200)
            #expect(try json(found) == receipt)
            let missing = try await client.request("GET", "/api/patches/nope")
            #expect(missing.status == 404)
            #expect(try errorCode(missing) == "not_found")
            #expect(try json(missing)["result"]?["error"]?["message"]?.stringValue?.contains("'nope'") == true)
        }
        #expect(await intake.lookups == ["fix-1", "nope"])
        #expect(await intake.deliveries.isEmpty)
    }

    @Test func statusAndMetricsComeFromTheIntake() async throws {
        let intake = FakeIntake()
        try await withTransport(intake: intake) { client in
            let status = try await client.request("GET", "/api/status")
            #expect(status.status == 200)
            #expect(try json(status) == FakeIntake.statusValue)
            let metrics = try await client.request("GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(metrics.body == FakeIntake.metrics)
        }
        #expect(await intake.statusCalls == 1)
    }

    @Test func healthIsTheBoardsAndOpenWithoutCredentials() async throws {
        let health = HealthBoard()
        let intake = FakeIntake()
        try await withTransport(HTTPSettings(token: "s3cret"), intake: intake, health: health) { client in
            let healthy = try await client.request("GET", "/health")
            #expect(healthy.status == 200)
            let body = try json(healthy)
            #expect(body["status"] == "healthy")
            // The transport marks itself up once it listens.
            #expect(body["components"]?[HTTPTransport.componentName]?["state"] == "up")
            #expect(body["timestamp"]?.stringValue != nil)
            #expect(try await client.request("GET", "/readyz").status == 200)

            await health.set("inbox", .degraded, error: "/secret/path is gone")
            let degraded = try await client.request("GET", "/health")
            #expect(degraded.status == 503)
            #expect(try json(degraded)["status"] == "degraded")
            #expect(try json(degraded)["components"]?["inbox"]?["state"] == "degraded")
            // Liveness is the process; readiness is every component.
            #expect(try await client.request("GET", "/livez").status == 200)
            let notReady = try await client.request("GET", "/readyz")
            #expect(notReady.status == 503)
            #expect(try json(notReady)["status"] == "not ready")
            // Open to anyone: it must not tell errors (they name paths).
            #expect(!degraded.text.contains("/secret/path"))
        }
        #expect(await intake.deliveries.isEmpty)
    }

    @Test func aBodyOverTheLimitIs413AndNeverReachesTheIntake() async throws {
        let intake = FakeIntake()
        try await withTransport(HTTPSettings(maxBodyBytes: 64), intake: intake) { client in
            let declared = try await client.request("POST", "/api/patches", headers: [jsonType], body: [UInt8](repeating: 0x20, count: 65))
            #expect(declared.status == 413)
            #expect(try errorCode(declared) == "limit_exceeded")
            // Chunked, the size is only known while reading: it is cut at the limit all the same.
            let chunked = try await client.request(
                "POST",
                "/api/patches",
                headers: [jsonType, ("Transfer-Encoding", "chunked")],
                body: Self.chunked([UInt8](repeating: 0x20, count: 200), piece: 50)
            )
            #expect(chunked.status == 413)
            #expect(try errorCode(chunked) == "limit_exceeded")
        }
        #expect(await intake.deliveries.isEmpty)
    }

    @Test func aBodyAtTheLimitIsTakenWholeChunkedOrNot() async throws {
        let intake = FakeIntake()
        let atLimit = Array(Self.oddBody.prefix(32)) + [UInt8](repeating: 0x41, count: 64 - 32)
        try await withTransport(HTTPSettings(maxBodyBytes: 64), intake: intake) { client in
            #expect(try await client.request("POST", "/api/patches", headers: [jsonType], body: atLimit).status == 202)
            let chunked = try await client.request(
                "POST",
                "/api/patches",
                headers: [jsonType, ("Transfer-Encoding", "chunked")],
                body: Self.chunked(atLimit, piece: 10)
            )
            #expect(chunked.status == 202)
        }
        #expect(await intake.deliveries.map(\.body) == [atLimit, atLimit])
    }

    @Test func withATokenARequestWithoutItIs401AndNeverReachesTheIntake() async throws {
        let intake = FakeIntake(receipts: ["p1": ["status": "applied"]])
        try await withTransport(HTTPSettings(token: "s3cret"), intake: intake) { client in
            let body = Array("{}".utf8)
            let missing = try await client.request("POST", "/api/patches", headers: [jsonType], body: body)
            #expect(missing.status == 401)
            #expect(try errorCode(missing) == "unauthorized")
            let wrong = [jsonType, ("Authorization", "Bearer s3cre")]
            #expect(try await client.request("POST", "/api/queues/q/patches", headers: wrong, body: body).status == 401)
            #expect(try await client.request("GET", "/api/patches/p1").status == 401)
            #expect(try await client.request("GET", "/api/status", headers: [("Authorization", "Bearer nope")]).status == 401)
            #expect(await intake.deliveries.isEmpty)
            #expect(await intake.lookups.isEmpty)
            #expect(await intake.statusCalls == 0)

            let right = [jsonType, ("Authorization", "Bearer s3cret")]
            #expect(try await client.request("POST", "/api/patches", headers: right, body: body).status == 202)
            #expect(try await client.request("GET", "/api/patches/p1", headers: right).status == 200)
            #expect(try await client.request("GET", "/api/status", headers: right).status == 200)
        }
        #expect(await intake.deliveries.count == 1)
        #expect(await intake.lookups == ["p1"])
    }

    @Test func withAnHMACSecretOnlyABodySignedWithItIsTaken() async throws {
        let intake = FakeIntake()
        let secret = "hook-secret"
        let body = Self.oddBody
        try await withTransport(HTTPSettings(hmacSecret: secret), intake: intake) { client in
            let unsigned = try await client.request("POST", "/api/patches", headers: [jsonType], body: body)
            #expect(unsigned.status == 401)
            let signedOther = [jsonType, ("X-Hub-Signature-256", Self.signature(Array("{}".utf8), secret))]
            #expect(try await client.request("POST", "/api/patches", headers: signedOther, body: body).status == 401)
            let signed = [jsonType, ("X-Hub-Signature-256", Self.signature(body, secret))]
            #expect(try await client.request("POST", "/api/patches", headers: signed, body: body).status == 202)
        }
        #expect(await intake.deliveries.map(\.body) == [body])
    }

    @Test func aQueuesOwnTokenOpensThatQueueOnly() async throws {
        let intake = FakeIntake()
        var settings = HTTPSettings(token: "host-token", queueCredentials: ["a": QueueCredentials(token: "a-token", hmacSecret: nil)])
        let queueToken = [jsonType, ("Authorization", "Bearer a-token")]
        let body = Array("{}".utf8)
        try await withTransport(settings, intake: intake) { client throws in
            #expect(try await client.request("POST", "/api/queues/a/patches", headers: queueToken, body: body).status == 202)
            #expect(try await client.request("POST", "/api/queues/b/patches", headers: queueToken, body: body).status == 401)
            // The default queue is not `a`, and routes across queues take the host's credentials only.
            #expect(try await client.request("POST", "/api/patches", headers: queueToken, body: body).status == 401)
            #expect(try await client.request("GET", "/api/status", headers: queueToken).status == 401)
            #expect(try await client.request("GET", "/api/patches/p1", headers: queueToken).status == 401)
            // The host's token opens every queue.
            let hostToken = [jsonType, ("Authorization", "Bearer host-token")]
            #expect(try await client.request("POST", "/api/queues/a/patches", headers: hostToken, body: body).status == 202)
        }
        #expect(await intake.deliveries.map(\.queue) == ["a", "a"])

        // When `a` is the default queue, its token opens `POST /api/patches` too.
        settings.defaultQueue = "a"
        let defaultIntake = FakeIntake()
        try await withTransport(settings, intake: defaultIntake) { client throws in
            #expect(try await client.request("POST", "/api/patches", headers: queueToken, body: body).status == 202)
        }
        #expect(await defaultIntake.deliveries.map(\.queue) == [nil])
    }

    /// With credentials on a queue but none on the host, the queue's are needed: the host's (open)
    /// authenticator admits nothing on its own. (The config refuses such settings; a transport built from
    /// ``HTTPSettings`` directly must hold the line too.)
    @Test func aQueuesOwnTokenIsNeededEvenWhenTheHostHasNone() async throws {
        let intake = FakeIntake()
        let settings = HTTPSettings(queueCredentials: ["a": QueueCredentials(token: "a-token", hmacSecret: nil)])
        let body = Array("{}".utf8)
        try await withTransport(settings, intake: intake) { client throws in
            #expect(
                try await client.request("POST", "/api/queues/a/patches", headers: [jsonType, ("Authorization", "Bearer wrong")], body: body).status
                    == 401
            )
            #expect(
                try await client.request("POST", "/api/queues/a/patches", headers: [jsonType, ("Authorization", "Bearer a-token")], body: body).status
                    == 202
            )
            let anonymous = try await client.request("POST", "/api/queues/a/patches", headers: [jsonType], body: body)
            #expect(anonymous.status == 401)
        }
    }

    /// Route parameters reach the intake percent-decoded: a client that encodes an id holding `:` `@` or `+`
    /// (all valid in ids; `encodeURIComponent` encodes them) finds it.
    @Test func aPercentEncodedIdIsLookedUpDecoded() async throws {
        let intake = FakeIntake(receipts: ["fix:1": ["id": "fix:1", "status": "applied"]])
        try await withTransport(intake: intake) { client in
            let plain = try await client.request("GET", "/api/patches/fix:1")
            #expect(plain.status == 200)
            let encoded = try await client.request("GET", "/api/patches/fix%3A1")
            #expect(encoded.status == 200)
        }
        #expect(await intake.lookups.first == "fix:1")
    }

    @Test func aForeignHostNameIsRefusedBeforeTheIntake() async throws {
        let intake = FakeIntake()
        try await withTransport(intake: intake) { client in
            let head =
                "POST /api/patches HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
            let response = try await client.exchange(Array(head.utf8))
            #expect(response.status == 421)
            #expect(try errorCode(response) == "misdirected_request")
        }
        #expect(await intake.deliveries.isEmpty)
    }

    @Test func cancellingTheTransportStopsItListening() async throws {
        var port = 0
        try await withTransport { client throws in
            port = client.port
            #expect(try await client.request("GET", "/health").status == 200)
        }
        await #expect(throws: SetupError.self) { _ = try await LoopbackHTTPClient(port: port).request("GET", "/health") }
    }

    static func chunked(_ bytes: [UInt8], piece: Int) -> [UInt8] {
        var encoded: [UInt8] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + piece, bytes.count)
            encoded += Array("\(String(end - start, radix: 16))\r\n".utf8) + bytes[start..<end] + Array("\r\n".utf8)
            start = end
        }
        return encoded + Array("0\r\n\r\n".utf8)
    }

    static func signature(_ body: [UInt8], _ secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
