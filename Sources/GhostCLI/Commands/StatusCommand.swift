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
        abstract: "Show queues, depths, recent results and component health (from the running host, or from disk)."
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("The configuration file.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("The host's address (default: from the configuration).", valueName: "http://host:port"))
    var url: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let settings = try ConfigOption.load(config)
        let client =
            url.flatMap(HTTPClient.init(url:))
            ?? HTTPClient(host: settings.http.host == "0.0.0.0" ? "127.0.0.1" : settings.http.host, port: settings.http.port)
        var headers: [(String, String)] = []
        if let token = settings.http.token { headers.append(("Authorization", "Bearer \(token)")) }
        if let secret = settings.http.hmacSecret { headers.append(("X-Hub-Signature-256", "sha256=" + HMACSignature.hex([], secret: secret))) }
        let report: JSONValue
        if let response = try? client.request(method: "GET", path: "/api/status", headers: headers),
            response.status == 200,
            let body = try? JSONParser.parse(response.body)
        {
            var object = body.objectValue ?? [:]
            object["source"] = .string("host at http://\(client.host):\(client.port)")
            report = .object(object)
        } else {
            report = SpoolStatus.read(settings)
        }
        print(json ? report.serialized : Self.text(report))
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
