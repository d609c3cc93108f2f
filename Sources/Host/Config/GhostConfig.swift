public import Foundation
public import Transport

/// Everything `ghost serve` (and `ghost apply --config`) reads from `ghost.yml`.
///
/// Found in this order: `--config FILE`, `$GHOST_CONFIG`, `./ghost.yml`, then the embedded default (queue
/// `default`, inbox `./patches`, workspace `.`, HTTP on 127.0.0.1:5051). Relative paths are relative to the
/// file's folder (the current folder for the embedded default).
public struct GhostConfig: Sendable {
    /// The HTTP listener.
    public var http: HTTPSettings
    /// The queue `POST /api/patches` and `ghost serve --stdin` feed.
    public var defaultQueue: String
    /// The queues, in the order the file names them.
    public var queues: [QueueConfig]
    /// Roles served by exec plugins.
    public var roles: [ExecRoleConfig]
    /// How `ghost serve` logs (`log:`).
    public var log = LogSettings()
    /// Where alerts go and when they fire (`alerts:`); off unless a destination is set.
    public var alerts = AlertSettings()
    /// The shared store many hosts use (`store:`); `nil`: this host's spools hold everything.
    public var store: SharedStoreSettings?
    /// This host's name among the hosts of a shared store (`node:`, `--node`); `nil`: the machine's hostname.
    public var node: String?
    /// This host's name among the hosts of a shared store.
    public var nodeName: String { node ?? ProcessInfo.processInfo.hostName }
    /// Where the configuration came from (a path, or `embedded default`).
    public var origin: String

    /// A configuration.
    public init(http: HTTPSettings, defaultQueue: String, queues: [QueueConfig], roles: [ExecRoleConfig] = [], origin: String) {
        self.http = http
        self.defaultQueue = defaultQueue
        self.queues = queues
        self.roles = roles
        self.origin = origin
    }

    /// The queue called `name`.
    public func queue(named name: String) -> QueueConfig? { queues.first { $0.name == name } }

    /// The embedded default, rooted at `directory`.
    public static func embeddedDefault(in directory: URL) -> GhostConfig {
        GhostConfig(
            http: HTTPSettings(),
            defaultQueue: "default",
            queues: [
                QueueConfig(
                    name: "default",
                    directory: directory.appendingPathComponent("patches").standardizedFileURL,
                    workspace: directory.standardizedFileURL
                )
            ],
            origin: "embedded default"
        )
    }

    /// Finds and loads the configuration: `explicitPath`, else `$GHOST_CONFIG`, else `./ghost.yml`, else the default.
    public static func load(
        explicitPath: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) throws(ConfigError) -> GhostConfig {
        let candidate: String?
        if let explicitPath {
            candidate = explicitPath
        } else if let fromEnvironment = environment["GHOST_CONFIG"], !fromEnvironment.isEmpty {
            candidate = fromEnvironment
        } else if FileManager.default.fileExists(atPath: currentDirectory.appendingPathComponent("ghost.yml").path) {
            candidate = currentDirectory.appendingPathComponent("ghost.yml").path
        } else {
            candidate = nil
        }
        guard let candidate else {
            let config = embeddedDefault(in: currentDirectory)
            for queue in config.queues { try ConfigSafety.check(queue, line: nil, embedded: true) }
            return config
        }
        let url = URL(fileURLWithPath: candidate, relativeTo: URL(fileURLWithPath: currentDirectory.path, isDirectory: true)).standardizedFileURL
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ConfigError("", "cannot read the configuration \(url.path): \(error.localizedDescription)")
        }
        var config = try ConfigParser.parse(yaml: text, baseDirectory: url.deletingLastPathComponent(), environment: environment)
        config.origin = url.path
        return config
    }

    /// Parses a YAML (or JSON) configuration; relative paths resolve against `baseDirectory`.
    public static func parse(yaml: String, baseDirectory: URL, environment: [String: String] = [:]) throws(ConfigError) -> GhostConfig {
        try ConfigParser.parse(yaml: yaml, baseDirectory: baseDirectory, environment: environment)
    }
}
