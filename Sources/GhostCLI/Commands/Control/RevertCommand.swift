import ArgumentParser

/// `ghost revert ID`: undo an applied patch with a patch of its own, `revert-ID`.
struct RevertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revert",
        abstract: "Undo an applied patch: queue revert-ID, which puts back every file it changed.",
        discussion: """
            Exact or nothing: every file the patch changed must still be as the patch left it (else \
            `conflict`, naming the files, and nothing is written), and the patch must have run no shell \
            step and have its before-images kept. With --wait, prints the revert's receipt. Exit status: \
            0 queued (or, with --wait, applied), 1 refused or failed, 3 no host answered.
            """
    )

    @OptionGroup var options: PatchActionOptions

    func run() async throws { try await options.run("revert") }
}
