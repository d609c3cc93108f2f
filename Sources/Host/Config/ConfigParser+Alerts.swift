import Foundation
import Yams

extension ConfigParser {
    /// `alerts: {slack_webhook_env, webhook: {url, secret_env}, command, stuck_after_s, failures: {count,
    /// window_s}, disk_free_percent, cooldown_s, interval_s}`.
    static func alertsSection(_ node: Entry, environment: [String: String]) throws(ConfigError) -> AlertSettings {
        let fields = try node.mapping(allowed: [
            "slack_webhook_env", "webhook", "command", "stuck_after_s", "failures", "disk_free_percent", "cooldown_s", "interval_s",
        ])
        var settings = AlertSettings()
        if let text = try secret(fields, "slack_webhook", environment: environment) {
            settings.slackWebhook = try webURL(text, fields["slack_webhook_env"] ?? node)
        }
        if let node = fields["webhook"] {
            let webhook = try node.mapping(allowed: ["url", "secret", "secret_env"])
            guard let url = webhook["url"] else { throw node.error("a webhook needs a url") }
            settings.webhook = try webURL(try url.string(), url)
            settings.webhookSecret = try secret(webhook, "secret", environment: environment)
        }
        if let value = fields["command"] {
            let words = try value.strings()
            guard let program = words.first, program.hasPrefix("/") else {
                throw value.error("expected a list whose first item is an absolute path, such as [/usr/local/bin/notify, --urgent]")
            }
            settings.command = words
        }
        if let value = fields["stuck_after_s"] { settings.stuckAfter = try value.seconds() }
        if let node = fields["failures"] {
            let failures = try node.mapping(allowed: ["count", "window_s"])
            if let value = failures["count"] { settings.failureCount = try value.int(in: 1...1_000_000) }
            if let value = failures["window_s"] { settings.failureWindow = try value.seconds() }
        }
        if let value = fields["disk_free_percent"] {
            guard let percent = value.node.float, (0...100).contains(percent) else { throw value.error("expected a percentage from 0 to 100") }
            settings.diskFreePercent = percent
        }
        if let value = fields["cooldown_s"] { settings.cooldown = try value.seconds() }
        if let value = fields["interval_s"] { settings.interval = try value.seconds() }
        return settings
    }

    /// An `http` or `https` URL with a host.
    private static func webURL(_ text: String, _ entry: Entry) throws(ConfigError) -> URL {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw entry.error("expected an http or https URL")
        }
        return url
    }
}
