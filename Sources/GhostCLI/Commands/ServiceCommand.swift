import ArgumentParser
import Foundation
import Host

/// `ghost service install|uninstall|status`: start `ghost serve` with the machine (a systemd unit, or a launchd job on macOS).
struct ServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Start ghost serve with the machine: write a systemd unit (Linux) or a launchd job (macOS).",
        subcommands: [Install.self, Uninstall.self, Status.self]
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

        @OptionGroup var target: ServiceTarget

        @Flag(help: "Print the service file and where it would go; write nothing.")
        var dryRun = false

        func run() throws {
            if let config = target.config { _ = try ConfigOption.load(config) }
            let (path, text, enable, _) = target.files
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
                    "cannot write \(path): \(error.localizedDescription)\(target.user ? "" : " (a system-wide service needs root; or use --user)")"
                )
            }
            print("wrote \(path)\nstart it now and at every boot with:\n  \(enable)")
        }
    }

    /// The service file's path, text and enable and disable commands for `manager`.
    static func files(_ manager: Manager, _ definition: ServiceDefinition) -> (path: String, text: String, enable: String, disable: String) {
        switch manager {
        case .systemd:
            (
                SystemdUnit.path(for: definition), SystemdUnit.render(definition), SystemdUnit.enableCommand(for: definition),
                SystemdUnit.disableCommand(for: definition)
            )
        case .launchd:
            (
                LaunchdPlist.path(for: definition), LaunchdPlist.render(definition), LaunchdPlist.enableCommand(for: definition),
                LaunchdPlist.disableCommand(for: definition)
            )
        }
    }

    /// `ghost service uninstall [--user]`: removes the file install wrote.
    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the systemd unit or launchd job that install wrote (stop it first with the command printed).",
            discussion: "Exit status: 0 removed, 1 none was installed, 2 cannot remove it."
        )

        @OptionGroup var target: ServiceTarget

        func run() throws {
            let files = target.files
            guard FileManager.default.fileExists(atPath: files.path) else {
                print("not installed: \(files.path) does not exist")
                throw ExitCode(1)
            }
            do {
                try FileManager.default.removeItem(atPath: files.path)
            } catch {
                throw CLIError.usage("cannot remove \(files.path): \(error.localizedDescription)")
            }
            print("removed \(files.path)\nif it was running, stop it with:\n  \(files.disable)")
        }
    }

    /// `ghost service status [--user]`: whether the service file is installed, and whether it is current.
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say whether the service file is installed, and whether it is what install would write now.",
            discussion: "Exit status: 0 installed, 1 not installed."
        )

        @OptionGroup var target: ServiceTarget

        func run() throws {
            let files = target.files
            guard let data = FileManager.default.contents(atPath: files.path) else {
                print("not installed (\(files.path))")
                throw ExitCode(1)
            }
            let current = String(decoding: data, as: UTF8.self) == files.text
            print("installed at \(files.path)\(current ? "" : " (it differs from what install would write now)")")
        }
    }

    /// Which service the subcommands mean: per user or system-wide, run with which configuration, under
    /// which manager.
    struct ServiceTarget: ParsableArguments {
        @Flag(help: "A service of the current user (systemctl --user, a launchd agent) instead of a system-wide one.")
        var user = false

        @Option(name: .shortAndLong, help: ArgumentHelp("The configuration the service runs with (made absolute).", valueName: "file"))
        var config: String?

        @Option(help: "The service manager (default: this system's).")
        var manager: Manager = .native

        /// The service file's path, text, and enable and disable commands.
        var files: (path: String, text: String, enable: String, disable: String) {
            ServiceCommand.files(manager, ServiceDefinition.current(config: config, perUser: user))
        }
    }
}
