import ApplierAPI
import ArgumentParser
import Foundation

/// `ghost retry ID`: run a failed patch again as its next attempt.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Run a failed patch again, as its next attempt under the same id.",
        discussion: """
            Only a patch whose latest attempt failed is retried; it runs from the copy filed with its receipt.
            With --wait, prints the new attempt's receipt. Exit status: 0 queued (or, with --wait, applied),
            1 refused or failed, 3 no host answered.
            """
    )

    @OptionGroup var host: HostOptions

    @Argument(help: ArgumentHelp("The patch id.", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("Wait up to this many seconds for the new attempt's receipt.", valueName: "seconds"))
    var wait: Double?

    func run() async throws {
        let answer = try host.expectSuccess("POST", "/api/patches/\(HostOptions.segment(id))/retry")
        let attempt = answer["result"]?["attempt"]?.doubleValue ?? 1
        guard let wait, wait > 0 else {
            print(answer.serialized)
            return
        }
        let receipt = try await ReceiptPoller(host: host).receipt(of: id, attempt: attempt, within: wait)
        print(receipt.serialized)
        if receipt["status"]?.stringValue == "failed" { throw ExitCode(1) }
    }
}
