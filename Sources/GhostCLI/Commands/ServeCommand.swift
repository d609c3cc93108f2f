import ApplierAPI
import ArgumentParser
import Foundation
import Host
import Logging
import Transport

/// `ghost serve`: one process running HTTP, every queue's inbox and executor, and optionally stdin.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the host: the HTTP API, every queue's inbox watcher and executor (and stdin with --stdin).",
        discussion: """
            With no configuration: queue "default", inbox ./patches, workspace ., HTTP on 127.0.0.1:5051.
            The configuration is --config FILE, else $GHOST_CONFIG, else ./ghost.yml.

            Drop a patch:   ghost submit fix.json            (HTTP)
                            ghost submit --inbox patches fix.json   (atomic drop into the inbox)
            Results:        patches/.completed/ and patches/.failed/, each patch with <name>.receipt.json

            SIGTERM or SIGINT: the patch in hand is finished, nothing new is taken, exit 0.
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("The configuration file (YAML or JSON).", valueName: "file"))
    var config: String?

    @Flag(help: "Also read newline-delimited patches from stdin and print each one's receipt line on stdout.")
    var stdin = false

    @Option(help: ArgumentHelp("Listen on this port instead of the configured one (0 picks a free port).", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level: unknown level '\(logLevel)'") }
        var settings = try ConfigOption.load(config)
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
            settings.http.port = port
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ghost")
        let host: GhostHost
        do {
            host = try GhostHost(config: settings, registry: settings.registry(extending: GhostCommand.registry), logger: logger)
        } catch {
            throw CLIError.usage("cannot start: \(error.message)")
        }
        for queue in settings.queues {
            logger.info("queue \(queue.name): inbox \(queue.directory.path), workspace \(queue.workspace.path)")
        }
        try await host.run(stdin: stdin) { host, port in
            // Tests and scripts read this line to find a port picked with --port 0.
            FileHandle.standardError.write(Data("ghost: listening on http://\(host):\(port)\n".utf8))
        }
    }
}

/// Loading `--config` (or its fallbacks) the same way for every command.
enum ConfigOption {
    static func load(_ path: String?) throws -> GhostConfig {
        do {
            return try GhostConfig.load(explicitPath: path)
        } catch {
            throw CLIError.usage("configuration: \(error)")
        }
    }
}
