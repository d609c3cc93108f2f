import ApplierAPI
import ArgumentParser
import Foundation
import Host
import Transport

/// `ghost status`: queues, depths, recent results and component health, from the running host or, when
/// none answers, from the spool folders on disk.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show queues, depths, recent results and component health (from the running host, or from disk).",
        discussion: """
            Exit status (for scripts and monitors):
              0  the host answered and every component is up (healthy)
              1  the host answered and is degraded (a component is starting, restarting or down)
              2  usage error (a bad option or configuration)
              3  not running: no host answered at the address (the spool on disk is shown instead)
              4  the host refused the credentials (check http.token / token_env in the configuration)
            """
    )

    /// What `ghost status` found, as its exit status.
    enum Outcome: Int32 {
        /// The host answered and every component is up.
        case healthy = 0
        /// The host answered and a component is not up.
        case degraded = 1
        /// No host answered (or one answered something other than its status).
        case notRunning = 3
        /// The host refused the credentials.
        case unauthorized = 4
    }

    @OptionGroup var host: HostOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let connection = try host.connect(timeoutSeconds: 10)
        let (settings, client) = (connection.settings, connection.client)
        let address = "http://\(client.host):\(client.port)"
        let response = try? client.request(method: "GET", path: "/api/status", headers: connection.credentials())
        let report: JSONValue
        let outcome: Outcome
        if let response, response.status == 200, let body = try? JSONParser.parse(response.body) {
            var object = body.objectValue ?? [:]
            object["source"] = .string("host at \(address)")
            report = .object(object)
            outcome = body["status"]?.stringValue == "healthy" ? .healthy : .degraded
        } else if response?.status == 401 {
            report = ["status": "unauthorized", "source": .string("host at \(address) refused the credentials (401)")]
            outcome = .unauthorized
        } else {
            var object = SpoolStatus.read(settings).objectValue ?? [:]
            let answer = response.map { "answered \($0.status)" } ?? "no host answered"
            object["source"] = .string("spool on disk (\(answer) at \(address))")
            report = .object(object)
            outcome = .notRunning
        }
        print(json ? report.serialized : Self.text(report))
        if outcome != .healthy { throw ExitCode(outcome.rawValue) }
    }

    static func text(_ report: JSONValue) -> String {
        var lines = ["\(report["status"]?.stringValue ?? "?") (\(report["source"]?.stringValue ?? ""))"]
        for (name, queue) in (report["queues"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let depth = queue["depth"]?.doubleValue.map { String(Int($0)) } ?? "?"
            let counts = (queue["counts"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
                .map { "\($0.key) \(Int($0.value.doubleValue ?? 0))" }.joined(separator: ", ")
            lines.append("queue \(name): depth \(depth)\(counts.isEmpty ? "" : "; " + counts)  (\(queue["dir"]?.stringValue ?? ""))")
            for item in queue["recent"]?.arrayValue ?? [] {
                let reason = item["reason"]?.stringValue.map { " [\($0)]" } ?? ""
                lines.append("  \(item["status"]?.stringValue ?? "?") \(item["id"]?.stringValue ?? "-")\(reason)")
            }
        }
        for (name, component) in (report["components"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("component \(name): \(component["state"]?.stringValue ?? "?")")
        }
        return lines.joined(separator: "\n")
    }
}
