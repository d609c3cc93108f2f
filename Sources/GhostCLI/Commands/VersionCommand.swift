import ArgumentParser

/// `ghost version`: the same as `ghost --version`.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version of ghost.")

    func run() {
        print(GhostVersion.current)
    }
}
