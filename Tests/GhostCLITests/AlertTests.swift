import ApplierAPI
import Crypto
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// Alerts from the real `ghost serve` to a local webhook (signed) and a command: failures past the rate
/// fire; a paused queue with a patch waiting past `stuck_after_s` is not stuck. (When each alert fires,
/// resolves and is held back is unit tested in `AlertRulesTests`.)
@Suite struct AlertTests {
    @Test func failuresReachTheSignedWebhookAndTheCommandAndAPauseIsNotStuck() async throws {
        let receiver = try WebhookReceiver()
        let folder = try makeTempFolder("alerts")
        try write("a\n", to: folder + "/src/App.tsx")
        let secret = "whsec_" + Data("a secret of thirty-two bytes!!!!".utf8).base64EncodedString()
        try write(
            """
            alerts:
              webhook: {url: "http://127.0.0.1:\(receiver.port)/hook", secret: "\(secret)"}
              command: [/bin/sh, -c, "cat >> \(folder)/alerts.jsonl; echo >> \(folder)/alerts.jsonl"]
              failures: {count: 2, window_s: 60}
              stuck_after_s: 1
              interval_s: 0.2
            queues:
              default:
                dir: patches
                workspace: .

            """,
            to: folder + "/ghost.yml"
        )
        let host = try await ServeProcess.start(folder: folder)
        for n in 1...2 {
            #expect(
                json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "f\(n)", pattern: "zz")))?["result"]?["status"] == "failed"
            )
        }
        func alerts() -> [JSONValue] {
            receiver.requests.flatMap { (try? JSONParser.parse($0.body))?["alerts"]?.arrayValue ?? [] }
        }
        #expect(await eventually(10) { alerts().contains { $0["kind"] == "failures" } })
        let request = try #require(receiver.requests.first)
        #expect(request.line == "POST /hook HTTP/1.1")
        // Standard Webhooks: v1,<base64 HMAC-SHA256 of "id.timestamp.body">, keyed by the secret's bytes.
        let id = try #require(request.headers["webhook-id"])
        let timestamp = try #require(request.headers["webhook-timestamp"])
        let key = SymmetricKey(data: Data(base64Encoded: String(secret.dropFirst(6)))!)
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(id).\(timestamp).".utf8) + request.body, using: key)
        #expect(request.headers["webhook-signature"] == "v1," + Data(mac).base64EncodedString())
        #expect(alerts().first { $0["kind"] == "failures" }?["subject"] == "default/no_match")

        // Paused on purpose: a patch waiting longer than stuck_after_s is not an alert.
        #expect(try host.request("POST", "/api/queues/default/pause").status == 200)
        #expect(try host.request("POST", "/api/patches", body: regexPatch(id: "w1")).status == 202)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(!alerts().contains { $0["kind"] == "queue_stuck" })
        #expect(await eventually(10) { (readText(folder + "/alerts.jsonl") ?? "").contains("\"failures\"") })
        #expect(await host.stop() == 0)
    }
}
