import ArgumentParser
import Foundation
import Host

/// `ghost service install`: start `ghost serve` with the machine (a systemd unit, or a launchd job on macOS).
struct ServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Start ghost serve with the machine: write a systemd unit (Linux) or a launchd job (macOS).",
        subcommands: [Install.self]
    )

    /// The service managers `--manager` names.
    enum Manager: String, ExpressibleByArgument, CaseIterable {
        case systemd
        case launchd

        /// The one this system runs.
        static var native: Manager {
            #if os(macOS)
            .launchd
            #else
            .systemd
            #endif
        }
    }

    /// `ghost service install [--user] [--config FILE] [--dry-run]`.
    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the service file for ghost serve in this folder, then print the command that starts it.",
            discussion: """
                The service runs this ghost binary as `ghost serve [--config FILE]` in the current folder, and
                is restarted when it fails. systemd: Type=notify (the host sends READY=1 once it listens),
                /etc/systemd/system/ghost.service, or ~/.config/systemd/user/ghost.service with --user.
                launchd: /Library/LaunchDaemons, or ~/Library/LaunchAgents with --user.
                Secrets (token_env, hmac_secret_env): /etc/ghost/env or ~/.config/ghost/env (systemd).

                Examples:
                  ghost service install --user --config ghost.yml --dry-run   print the unit, write nothing
                  ghost service install --user --config ghost.yml
                """
        )

        @Flag(help: "A service of the current user (systemctl --user, a launchd agent) instead of a system-wide one.")
        var user = false

        @Option(name: .shortAndLong, help: ArgumentHelp("The configuration the service runs with (made absolute).", valueName: "file"))
        var config: String?

        @Flag(help: "Print the service file and where it would go; write nothing.")
        var dryRun = false

        @Option(help: "The service manager (default: this system's).")
        var manager: Manager = .native

        func run() throws {
            if let config { _ = try ConfigOption.load(config) }
            let definition = ServiceDefinition.current(config: config, perUser: user)
            let (path, text, enable) =
                switch manager {
                case .systemd: (SystemdUnit.path(for: definition), SystemdUnit.render(definition), SystemdUnit.enableCommand(for: definition))
                case .launchd: (LaunchdPlist.path(for: definition), LaunchdPlist.render(definition), LaunchdPlist.enableCommand(for: definition))
                }
            if dryRun {
                FileHandle.standardError.write(Data("# \(path) (not written: --dry-run)\n".utf8))
                print(text, terminator: "")
                return
            }
            do {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw CLIError.usage(
                    "cannot write \(path): \(error.localizedDescription)\(user ? "" : " (a system-wide service needs root; or use --user)")"
                )
            }
            print("wrote \(path)\nstart it now and at every boot with:\n  \(enable)")
        }
    }
}
