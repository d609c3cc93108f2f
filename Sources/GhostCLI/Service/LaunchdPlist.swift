import Foundation

/// The launchd job that runs `ghost serve` on macOS: started at load, restarted when it exits with a failure.
enum LaunchdPlist {
    /// The job's label.
    static let label = "dev.ghostrunner.ghost"

    /// Where the job goes: `~/Library/LaunchAgents` per user, else `/Library/LaunchDaemons`.
    static func path(for definition: ServiceDefinition) -> String {
        (definition.perUser ? definition.home + "/Library/LaunchAgents/" : "/Library/LaunchDaemons/") + label + ".plist"
    }

    /// The command that loads and starts the job once written.
    static func enableCommand(for definition: ServiceDefinition) -> String {
        definition.perUser
            ? "launchctl bootstrap gui/$(id -u) \(path(for: definition))"
            : "sudo launchctl bootstrap system \(path(for: definition))"
    }

    /// The command that stops the job and unloads it, before it is removed.
    static func disableCommand(for definition: ServiceDefinition) -> String {
        definition.perUser
            ? "launchctl bootout gui/$(id -u) \(path(for: definition))"
            : "sudo launchctl bootout system \(path(for: definition))"
    }

    /// The property list's text.
    static func render(_ definition: ServiceDefinition) -> String {
        let arguments = ([definition.executable] + definition.arguments).map { "        <string>\(escaped($0))</string>" }
        let log = definition.perUser ? definition.home + "/Library/Logs/ghost.log" : "/var/log/ghost.log"
        let user = definition.user.map { "    <key>UserName</key>\n    <string>\(escaped($0))</string>\n" } ?? ""
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0">
            <dict>
                <key>Label</key>
                <string>\(label)</string>
                <key>ProgramArguments</key>
                <array>
            \(arguments.joined(separator: "\n"))
                </array>
                <key>WorkingDirectory</key>
                <string>\(escaped(definition.workingDirectory))</string>
            \(user)    <key>RunAtLoad</key>
                <true/>
                <key>KeepAlive</key>
                <dict>
                    <key>SuccessfulExit</key>
                    <false/>
                </dict>
                <key>ExitTimeOut</key>
                <integer>600</integer>
                <key>StandardErrorPath</key>
                <string>\(escaped(log))</string>
            </dict>
            </plist>

            """
    }

    /// Text with XML's special characters escaped.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
