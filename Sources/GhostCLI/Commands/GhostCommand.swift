public import ApplierAPI
import Appliers
public import ArgumentParser
import Foundation

/// The `ghost` command line. A custom host runs it with its own roles through ``GhostCommand/main(registry:)``.
public struct GhostCommand: AsyncParsableCommand {
    /// Subcommands and help.
    public static let configuration = CommandConfiguration(
        commandName: "ghost",
        abstract: "GhostRunner: apply model-written patches to a workspace, safely and exactly once.",
        discussion: """
            A patch is a JSON document naming a role (what to do) and its payload:
              {"id": "fix-title", "role": "ui_patch", "target_file": "src/App.tsx",
               "patch": {"pattern": "<Text>.*?</Text>", "replacement": "<Text>Done</Text>"}}

            Try:  ghost apply --check patch.json      (shows the diff, writes nothing)
                  ghost apply patch.json              (applies it, prints a JSON receipt)
                  ghost serve                         (HTTP on 127.0.0.1:5051 and the ./patches inbox)
                  ghost submit patch.json             (send a patch to the running host)
                  ghost roles                         (every role and its payload)
            """,
        version: GhostVersion.current,
        subcommands: [
            ApplyCommand.self, ServeCommand.self, SubmitCommand.self, StatusCommand.self, RolesCommand.self, IndexCommand.self,
            ServiceCommand.self, VersionCommand.self, ListCommand.self, ShowCommand.self, RetryCommand.self, RevertCommand.self, CancelCommand.self,
            PauseCommand.self, ResumeCommand.self, SchemaCommand.self, QueueCommand.self,
        ]
    )

    /// The registry commands use: the built-in roles unless a custom host supplied its own.
    @TaskLocal public static var registry: ApplierRegistry = .builtIn()

    /// Creates the command (used by the argument parser).
    public init() {}

    /// Parses the process's arguments and runs the command with `registry`'s roles.
    ///
    /// Exit codes: 0 every patch applied, unchanged or duplicate; 1 a patch failed; 2 usage or unreadable input.
    public static func main(registry: ApplierRegistry) async -> Never {
        let failure: (any Error)? = await $registry.withValue(registry) {
            do {
                var command = try parseAsRoot()
                if var asyncCommand = command as? any AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try command.run()
                }
                return nil
            } catch {
                return error
            }
        }
        guard let failure else { Self.exit() }
        if failure is CLIError || exitCode(for: failure) == .validationFailure {
            FileHandle.standardError.write(Data((fullMessage(for: failure) + "\n").utf8))
            Self.exit(withError: ExitCode(2))
        }
        Self.exit(withError: failure)
    }
}
