import ApplierAPI
import Appliers
import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Sends alerts where the config says: a Slack-compatible webhook (`{"text": ...}`), a generic JSON webhook
/// signed as Standard Webhooks specify (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64
/// HMAC-SHA256 of "id.timestamp.body">`), and a command given the JSON on standard input. A destination that
/// fails is logged; the others are still sent.
struct AlertSender: Sendable {
    let settings: AlertSettings
    let client: HTTPClient
    let logger: Logger

    /// Sends `alerts` (a group from one evaluation) to every destination.
    func send(_ alerts: [Alert]) async {
        guard !alerts.isEmpty else { return }
        if let url = settings.slackWebhook {
            let text = alerts.map(\.text).joined(separator: "\n")
            let message: JSONValue = ["text": .string(text)]
            await post(message.serializedBytes, to: url, signed: false)
        }
        let payload: JSONValue = ["type": "ghost.alerts", "alerts": .array(alerts.map(\.json))]
        let body = payload.serializedBytes
        if let url = settings.webhook { await post(body, to: url, signed: settings.webhookSecret != nil) }
        if let command = settings.command { await run(command, input: body) }
    }

    private func post(_ body: [UInt8], to url: URL, signed: Bool) async {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "GhostRunner")
        if signed, let secret = settings.webhookSecret {
            let id = "msg_" + UUID().uuidString.lowercased()
            let timestamp = String(Int(Date().timeIntervalSince1970))
            request.headers.add(name: "webhook-id", value: id)
            request.headers.add(name: "webhook-timestamp", value: timestamp)
            request.headers.add(name: "webhook-signature", value: "v1," + Self.signature(id: id, timestamp: timestamp, body: body, secret: secret))
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            if !(200..<300).contains(response.status.code) {
                logger.warning(
                    "an alert destination refused the alert",
                    metadata: ["url": "\(Self.redacted(url))", "status": "\(response.status.code)"]
                )
            }
        } catch {
            logger.warning("cannot send an alert", metadata: ["url": "\(Self.redacted(url))", "error": "\(error)"])
        }
    }

    private func run(_ command: [String], input: [UInt8]) async {
        do {
            let outcome = try await ProcessRunner(outputLimit: 4096).run(
                command,
                environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"],
                workingDirectory: "/",
                input: input,
                timeout: .seconds(30)
            )
            if outcome.exitCode != 0 {
                logger.warning(
                    "the alert command failed",
                    metadata: ["command": "\(command[0])", "exit": "\(outcome.exitCode.map(String.init) ?? "signal")"]
                )
            }
        } catch {
            logger.warning("cannot run the alert command", metadata: ["command": "\(command[0])", "error": "\(error)"])
        }
    }

    /// The Standard Webhooks signature of a message: base64 HMAC-SHA256 of `id.timestamp.body`, keyed by the
    /// secret (a `whsec_` secret is base64 after the prefix; any other is used as its bytes).
    static func signature(id: String, timestamp: String, body: [UInt8], secret: String) -> String {
        let key: [UInt8]
        if secret.hasPrefix("whsec_"), let decoded = Data(base64Encoded: String(secret.dropFirst(6))) {
            key = Array(decoded)
        } else {
            key = Array(secret.utf8)
        }
        var message = Array("\(id).\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return Data(mac).base64EncodedString()
    }

    /// A webhook URL for the log: its scheme and host only (a Slack URL carries its secret in the path).
    static func redacted(_ url: URL) -> String { "\(url.scheme ?? "http")://\(url.host ?? "?")/…" }
}
