import ApplierAPI
import ArgumentParser
import Foundation

/// `ghost cancel ID`: take a queued patch out of its queue.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Take a queued patch out of its queue: it is filed in .failed/ with reason cancelled, and never runs.",
        discussion: "Exit status: 0 cancelled, 1 refused (it is applying or finished, or unknown), 3 no host answered."
    )

    @OptionGroup var host: HostOptions

    @Argument(help: ArgumentHelp("The patch id.", valueName: "id"))
    var id: String

    func run() async throws {
        let answer = try host.expectSuccess("POST", "/api/patches/\(HostOptions.segment(id))/cancel")
        print(answer["result"]?["receipt"]?.serialized ?? answer.serialized)
    }
}
