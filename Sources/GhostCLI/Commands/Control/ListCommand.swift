import ApplierAPI
import ArgumentParser
import Foundation

/// `ghost list`: the host's patches, newest first, a page at a time.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List patches, newest first: queued and applying ones, then the history.",
        discussion: """
            Prints one line per patch (status, id, queue, reason, finish time), then the command for the next
            page when there is one. Exit status: 0 listed, 1 refused by the host, 3 no host answered.
            """
    )

    @OptionGroup var host: HostOptions

    @Option(help: ArgumentHelp("Only this queue.", valueName: "name"))
    var queue: String?

    @Option(help: ArgumentHelp("Only this status: queued, applying, applied, unchanged, duplicate, failed.", valueName: "status"))
    var status: String?

    @Option(help: ArgumentHelp("Only this failure reason (no_match, io_error, cancelled, ...).", valueName: "reason"))
    var reason: String?

    @Option(help: ArgumentHelp("Only this role.", valueName: "role"))
    var role: String?

    @Option(help: ArgumentHelp("Only ids containing this text.", valueName: "text"))
    var search: String?

    @Option(help: ArgumentHelp("The most patches on the page (1-500).", valueName: "n"))
    var limit = 50

    @Option(help: ArgumentHelp("Where the previous page ended (printed under it).", valueName: "cursor"))
    var cursor: String?

    @Flag(help: "Print the host's JSON instead of text.")
    var json = false

    func run() async throws {
        let parameters: [(String, String?)] = [
            ("queue", queue), ("status", status), ("reason", reason), ("role", role), ("q", search), ("cursor", cursor),
            ("limit", String(limit)),
        ]
        let query = parameters.compactMap { key, value in value.map { "\(key)=\(HostOptions.segment($0))" } }.joined(separator: "&")
        let page = try host.expectSuccess("GET", "/api/patches?" + query)
        guard !json else {
            print(page.serialized)
            return
        }
        for patch in page["patches"]?.arrayValue ?? [] {
            let text = { (key: String) in patch[key]?.stringValue ?? "" }
            let reason = text("reason").isEmpty ? "" : " [\(text("reason"))]"
            let attempt = (patch["attempt"]?.doubleValue ?? 1) > 1 ? " attempt \(Int(patch["attempt"]?.doubleValue ?? 1))" : ""
            let when = text("finished_at").isEmpty ? text("received_at") : text("finished_at")
            print("\(text("status").padding(toLength: 9, withPad: " ", startingAt: 0)) \(text("id"))  \(text("queue"))\(reason)\(attempt)  \(when)")
        }
        if let next = page["next_cursor"]?.stringValue { print("more: ghost list --cursor '\(next)'") }
    }
}
