import ApplierAPI
import ArgumentParser
import Foundation

/// `ghost pause Q` and `ghost resume Q`: stop and start applying a queue's patches.
struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause a queue: it takes patches but applies none until resumed, across restarts.",
        discussion: "The patch being applied finishes. Exit status: 0 paused, 1 no such queue, 3 no host answered."
    )

    @OptionGroup var host: HostOptions

    @Argument(help: ArgumentHelp("The queue.", valueName: "queue"))
    var queue: String

    func run() async throws { try Self.set(paused: true, queue: queue, host: host) }

    /// Pauses or resumes `queue` and prints its state.
    static func set(paused: Bool, queue: String, host: HostOptions) throws {
        let answer = try host.expectSuccess("POST", "/api/queues/\(HostOptions.segment(queue))/\(paused ? "pause" : "resume")")
        let depth = answer["result"]?["queue"]?["depth"]?.doubleValue.map { Int($0) } ?? 0
        print("queue \(queue): \(paused ? "paused" : "running"), \(depth) queued")
    }
}

/// `ghost resume Q`.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a paused queue: its queued patches apply in order.",
        discussion: "Exit status: 0 resumed, 1 no such queue, 3 no host answered."
    )

    @OptionGroup var host: HostOptions

    @Argument(help: ArgumentHelp("The queue.", valueName: "queue"))
    var queue: String

    func run() async throws { try PauseCommand.set(paused: false, queue: queue, host: host) }
}
