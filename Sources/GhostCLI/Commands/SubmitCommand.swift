import ApplierAPI
import ArgumentParser
import Foundation
import Host
import Transport

/// `ghost submit`: send a patch to a running host, or drop it atomically into an inbox folder.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Send a patch to a running host (HTTP), or drop it safely into an inbox with --inbox.",
        discussion: """
            Prints the host's JSON answer. Exit status: 0 accepted (or, with --wait, applied), 1 refused or
            failed, 2 usage error or no host reachable.

            Examples:
              ghost submit fix.json                      POST to the configured host
              ghost submit --queue CYOPS --wait 10 fix.json
              cat fix.json | ghost submit -
              ghost submit --inbox ./patches fix.json    write elsewhere, fsync, rename in
            """
    )

    @Argument(help: ArgumentHelp("The patch file, or - for stdin.", valueName: "file"))
    var file: String

    @OptionGroup var host: HostOptions

    @Option(help: ArgumentHelp("The queue (default: the host's default queue).", valueName: "name"))
    var queue: String?

    @Option(help: ArgumentHelp("Wait up to this many seconds (the host allows 300 at most) for the receipt.", valueName: "seconds"))
    var wait: Double?

    @Option(help: ArgumentHelp("Drop the patch into this inbox folder instead of sending it.", valueName: "dir"))
    var inbox: String?

    func run() async throws {
        let body: [UInt8]
        do {
            body = try ApplyCommand.read(file)
        } catch {
            throw CLIError.usage("cannot read \(file): \(error.localizedDescription)")
        }
        if let inbox {
            let name =
                file == "-"
                ? "stdin-\(Int(Date().timeIntervalSince1970))-\(UInt32.random(in: 0...UInt32.max)).json"
                : URL(fileURLWithPath: file).lastPathComponent
            let placed = try InboxDrop.drop(body, named: name.hasSuffix(".json") ? name : name + ".json", into: URL(fileURLWithPath: inbox))
            print(#"{"dropped":"\#(placed.path)"}"#)
            return
        }
        // The host may take the whole wait to answer: the client must not give up first.
        let connection = try host.connect(timeoutSeconds: HTTPClient.timeoutSeconds(forWait: wait))
        let client = connection.client
        var path = queue.map { "/api/queues/\(HostOptions.segment($0))/patches" } ?? "/api/patches"
        if let wait { path += "?wait=\(wait)" }
        let headers = [("Content-Type", "application/json")] + connection.credentials(body: body)
        let response: HTTPClient.Response
        do {
            response = try client.request(method: "POST", path: path, headers: headers, body: body)
        } catch {
            throw CLIError.usage("no host: \(error)")
        }
        print(response.text, terminator: response.text.hasSuffix("\n") ? "" : "\n")
        guard (200..<300).contains(response.status) else { throw ExitCode(1) }
        if (try? JSONParser.parse(response.body))?["result"]?["success"]?.boolValue == false { throw ExitCode(1) }
    }
}
