import ApplierAPI
import ArgumentParser
import Foundation
import Host

/// `ghost index rebuild`: the history index of finished patches, rebuilt from the receipt files.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Maintain the history index of finished patches (.ghost/history.sqlite in each queue's folder).",
        subcommands: [Rebuild.self]
    )

    /// `ghost index rebuild [--queue Q]`.
    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the index from .completed/, .failed/ and .archive/ (the host must be stopped)."
        )

        @Option(name: .shortAndLong, help: ArgumentHelp("The configuration file.", valueName: "file"))
        var config: String?

        @Option(help: ArgumentHelp("Only this queue.", valueName: "name"))
        var queue: String?

        func run() throws {
            let settings = try ConfigOption.load(config)
            for (name, count) in try HistoryMaintenance.rebuild(settings, queue: queue) {
                print("queue \(name): indexed \(count) finished patches")
            }
        }
    }
}
