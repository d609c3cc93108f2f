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

            SIGTERM or SIGINT: the patch in hand is finished, nothing new is taken, exit 0. SIGHUP reloads the
            configuration: queues are added, removed or restarted with new settings, nothing accepted is lost;
            a change to anything else (http, credentials, roles, log, alerts) is refused and logged. An HTTP address already in use, or a workspace that does
            not exist (unless its queue says create_workspace: true), stops the host at start with a non-zero
            exit status. Under systemd ($NOTIFY_SOCKET) the host sends READY=1 once it listens and STOPPING=1.
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("The configuration file (YAML or JSON).", valueName: "file"))
    var config: String?

    @Flag(help: "Also read newline-delimited patches from stdin and print each one's receipt line on stdout.")
    var stdin = false

    @Option(help: ArgumentHelp("Listen on this port instead of the configured one (0 picks a free port).", valueName: "port"))
    var port: Int?

    @Option(
        help: ArgumentHelp(
            "Log level: trace, debug, info, notice, warning, error or critical (default: log.level, else info).",
            valueName: "level"
        )
    )
    var logLevel: String?

    @Option(help: ArgumentHelp("This host's name among the hosts of a shared store (default: node:, else the hostname).", valueName: "name"))
    var node: String?

    @Option(help: ArgumentHelp("Log lines as text or json (one object per line; default: log.format, else text).", valueName: "format"))
    var logFormat: String?

    func run() async throws {
        var settings = try ConfigOption.load(config)
        let level = try logLevel.map { text throws(ValidationError) in
            guard let level = Logger.Level(rawValue: text) else { throw ValidationError("--log-level: unknown level '\(text)'") }
            return level
        }
        let format = try logFormat.map { text throws(ValidationError) in
            guard let format = LogSettings.Format(rawValue: text) else { throw ValidationError("--log-format: expected text or json") }
            return format
        }
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
            settings.http.port = port
        }
        let logger = Self.bootstrapLogging(
            format: format ?? settings.log.format ?? .text,
            level: level ?? settings.log.level ?? .info
        )
        if let node {
            guard !node.isEmpty, node.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }) else {
                throw ValidationError("--node: letters, digits, '_', '-' and '.' only")
            }
            settings.node = node
        }
        if settings.store != nil {
            logger.info(
                "ghost \(GhostVersion.current) starting on the shared store",
                metadata: ["config": "\(settings.origin)", "node": "\(settings.nodeName)"]
            )
            try await runShared(settings, logger: logger, json: (format ?? settings.log.format) == .json)
            return
        }
        let host: GhostHost
        do {
            // SIGHUP reads the configuration the way this start did, with the same --port.
            let (path, port) = (config, port)
            host = try GhostHost(config: settings, registry: settings.registry(extending: GhostCommand.registry), logger: logger) {
                var reloaded = try GhostConfig.load(explicitPath: path)
                if let port { reloaded.http.port = port }
                return reloaded
            }
        } catch {
            throw CLIError.usage("cannot start: \(error.message)")
        }
        logger.info("ghost \(GhostVersion.current) starting", metadata: ["config": "\(settings.origin)"])
        for queue in settings.queues {
            logger.info("queue \(queue.name): inbox \(queue.directory.path), workspace \(queue.workspace.path)")
        }
        let json = (format ?? settings.log.format) == .json
        try await host.run(stdin: stdin) { host, port in
            // Tests and scripts read this line to find a port picked with --port 0; in JSON it is a log line.
            if json {
                logger.notice("listening on http://\(host):\(port)")
            } else {
                FileHandle.standardError.write(Data("ghost: listening on http://\(host):\(port)\n".utf8))
            }
        }
    }

    /// `ghost serve` as one host of a shared store.
    private func runShared(_ settings: GhostConfig, logger: Logger, json: Bool) async throws {
        let host: SharedHost
        do {
            host = try SharedHost(config: settings, registry: settings.registry(extending: GhostCommand.registry), logger: logger)
        } catch {
            throw CLIError.usage("cannot start: \(error.message)")
        }
        try await host.run(stdin: stdin) { host, port in
            if json {
                logger.notice("listening on http://\(host):\(port)")
            } else {
                FileHandle.standardError.write(Data("ghost: listening on http://\(host):\(port)\n".utf8))
            }
        }
    }

    /// Sets the process's log handler once: text (swift-log's stream handler) or one JSON object per line,
    /// both on standard error.
    static func bootstrapLogging(format: LogSettings.Format, level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        return Logger(label: "ghost")
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
