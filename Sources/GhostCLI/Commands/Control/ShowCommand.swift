import ApplierAPI
import ArgumentParser
import Foundation
import Host

/// `ghost show ID`: one patch's receipt, with its diff and step output.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a patch: its receipt with the diff and step output, or its state while it is not finished.",
        discussion: "Exit status: 0 shown, 1 no such patch, 3 no host answered."
    )

    @OptionGroup var host: HostOptions

    @Argument(help: ArgumentHelp("The patch id.", valueName: "id"))
    var id: String

    @Flag(help: "Print the receipt's JSON instead of text.")
    var json = false

    func run() async throws {
        let found = try host.expectSuccess("GET", "/api/patches/" + HostOptions.segment(id))
        guard !json else {
            print(found.serialized)
            return
        }
        guard let receipt = try? Receipt(json: found) else {
            print("\(found["status"]?.stringValue ?? "?") \(id) (\(found["queue"]?.stringValue ?? "?"))")
            return
        }
        var lines = [receipt.text]
        lines.append(
            "queue \(receipt.queue ?? "-"), source \(receipt.source.rawValue), attempt \(receipt.attempt), finished \(found["finished_at"]?.stringValue ?? "?"), \(receipt.durationMs) ms"
        )
        for step in receipt.steps {
            lines.append("step \(step.phase.rawValue): \(step.command) -> \(step.exitCode.map(String.init) ?? "killed")")
            if !step.stdoutTail.isEmpty { lines.append(step.stdoutTail) }
            if !step.stderrTail.isEmpty { lines.append(step.stderrTail) }
        }
        if !receipt.diff.isEmpty { lines.append(receipt.diff) }
        if let note = receipt.diffNote { lines.append("(\(note))") }
        print(lines.joined(separator: "\n"))
    }
}
