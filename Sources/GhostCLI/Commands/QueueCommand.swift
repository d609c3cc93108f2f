import ApplierAPI
import ArgumentParser
import Foundation
import Host

/// `ghost queue move Q --to NODE`: operations on the queues of a shared store.
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Operate on the queues of a shared store (store: {postgres: ...}).",
        subcommands: [MoveCommand.self]
    )

    /// `ghost queue move`.
    struct MoveCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "move",
            abstract: "Move a queue to another host that reaches the same workspace (shared storage).",
            discussion: """
                The queue gets a new fence: its old owner finishes nothing more (its next commit is refused) and the
                target host takes the queue at its next lease round. Refused unless the target has started with the
                queue's workspace and found the same workspace id there. Exit status: 0 moved, 1 refused, 3 the
                database could not be reached.
                """
        )

        @Option(name: .shortAndLong, help: ArgumentHelp("The configuration file naming the shared store.", valueName: "file"))
        var config: String?

        @Argument(help: ArgumentHelp("The queue.", valueName: "queue"))
        var queue: String

        @Option(help: ArgumentHelp("The host (its node name) to move it to.", valueName: "node"))
        var to: String

        func run() async throws {
            let settings = try ConfigOption.load(config)
            do {
                let fence = try await SharedFleet.move(queue: queue, to: to, config: settings)
                print("queue \(queue): moved to \(to) (fence \(fence))")
            } catch {
                FileHandle.standardError.write(Data("ghost: \(error.message)\n".utf8))
                throw ExitCode(error.reason == .unavailable ? 3 : 1)
            }
        }
    }
}
