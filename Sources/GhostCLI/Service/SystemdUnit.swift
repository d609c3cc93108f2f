import Foundation

/// The systemd unit that runs `ghost serve`: `Type=notify` (the host sends `READY=1` once it listens and
/// `STOPPING=1` when it stops), restarted when it fails.
enum SystemdUnit {
    /// Where the unit goes: `~/.config/systemd/user/ghost.service` per user, else `/etc/systemd/system/ghost.service`.
    static func path(for definition: ServiceDefinition) -> String {
        definition.perUser ? definition.home + "/.config/systemd/user/ghost.service" : "/etc/systemd/system/ghost.service"
    }

    /// The command that loads and starts the unit once written.
    static func enableCommand(for definition: ServiceDefinition) -> String {
        let scope = definition.perUser ? " --user" : ""
        return "systemctl\(scope) daemon-reload && systemctl\(scope) enable --now ghost"
    }

    /// The command that stops the unit and keeps it from starting at boot, before it is removed.
    static func disableCommand(for definition: ServiceDefinition) -> String {
        "systemctl\(definition.perUser ? " --user" : "") disable --now ghost"
    }

    /// The unit's text.
    static func render(_ definition: ServiceDefinition) -> String {
        let command = ([definition.executable] + definition.arguments).map(quoted).joined(separator: " ")
        var service = [
            "Type=notify",
            "ExecStart=\(command)",
            "# systemctl reload: queues added, removed or changed in the configuration, without a restart.",
            "ExecReload=/bin/kill -HUP $MAINPID",
            "WorkingDirectory=\(quoted(definition.workingDirectory))",
            "# Secrets named by token_env / hmac_secret_env, one NAME=value per line (optional file).",
            "EnvironmentFile=-\(definition.perUser ? "%h/.config/ghost/env" : "/etc/ghost/env")",
            "Restart=on-failure",
            "RestartSec=2",
            "# The host sends WATCHDOG=1 every 15 s while it runs; one that hangs is restarted.",
            "WatchdogSec=30",
            "# SIGTERM to ghost alone: it finishes the patch in hand (and its shell step) before it exits.",
            "KillMode=mixed",
            "TimeoutStopSec=600",
        ]
        if let user = definition.user { service.insert("User=\(user)", at: 1) }
        return """
            [Unit]
            Description=GhostRunner: applies patches to a workspace (ghost serve)
            After=network.target

            [Service]
            \(service.joined(separator: "\n"))

            [Install]
            WantedBy=\(definition.perUser ? "default.target" : "multi-user.target")

            """
    }

    /// A word as systemd reads it: in double quotes when it holds spaces, quotes, backslashes or `%`.
    static func quoted(_ word: String) -> String {
        let escaped = word.replacingOccurrences(of: "%", with: "%%")
        guard escaped.contains(where: { " \t\"'\\".contains($0) }) || escaped.isEmpty else { return escaped }
        return "\"" + escaped.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
