import Foundation

/// What a service manager needs to start `ghost serve` with the machine: the program, its arguments, the
/// folder it runs in and, for a system-wide service, the user it runs as.
struct ServiceDefinition {
    /// The absolute path of the `ghost` binary.
    var executable: String
    /// The arguments after it (`serve --config /etc/ghost/ghost.yml`).
    var arguments: [String]
    /// The folder it runs in: relative paths of the embedded default configuration resolve against it.
    var workingDirectory: String
    /// The user a system-wide service runs as (`nil`: the manager's default, or a per-user service).
    var user: String?
    /// True for a per-user service (`systemctl --user`, a launchd agent); false for a system-wide one.
    var perUser: Bool
    /// The user's home folder (where per-user files go).
    var home: String

    /// The definition for this process: its own binary, `serve` with `--config` when one is given (made
    /// absolute), and the current folder.
    static func current(config: String?, perUser: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> ServiceDefinition {
        let directory = FileManager.default.currentDirectoryPath
        let executable =
            Bundle.main.executablePath ?? URL(fileURLWithPath: CommandLine.arguments[0], relativeTo: URL(fileURLWithPath: directory)).path
        var arguments = ["serve"]
        if let config {
            arguments += ["--config", URL(fileURLWithPath: config, relativeTo: URL(fileURLWithPath: directory)).standardizedFileURL.path]
        }
        let name = environment["USER"] ?? NSUserName()
        return ServiceDefinition(
            executable: executable,
            arguments: arguments,
            workingDirectory: directory,
            user: perUser || name == "root" || name.isEmpty ? nil : name,
            perUser: perUser,
            home: environment["HOME"] ?? NSHomeDirectory()
        )
    }
}
