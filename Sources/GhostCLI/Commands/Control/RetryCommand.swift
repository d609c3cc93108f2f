import ArgumentParser

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

    @OptionGroup var options: PatchActionOptions

    func run() async throws { try await options.run("retry") }
}
