public import Foundation

/// `alerts:` in the config: where alerts go and when they fire.
public struct AlertSettings: Sendable, Equatable {
    /// A Slack-compatible incoming webhook (`{"text": ...}` posted to it); from `slack_webhook_env`.
    public var slackWebhook: URL?
    /// A generic JSON webhook, signed as Standard Webhooks do when `secret` is set.
    public var webhook: URL?
    /// The webhook's signing secret (`whsec_` prefix optional, base64 or raw); from `webhook.secret_env`.
    public var webhookSecret: String?
    /// A program run with the alert's JSON on standard input (no shell).
    public var command: [String]?
    /// A queue is stuck when its oldest queued patch is older than this (and the queue is not paused).
    public var stuckAfter: Duration = .seconds(300)
    /// Failures of one reason in one queue that fire an alert within ``failureWindow``.
    public var failureCount = 5
    /// The window ``failureCount`` is counted in.
    public var failureWindow: Duration = .seconds(300)
    /// The disk holding a spool is nearly full below this share of free space (0–100).
    public var diskFreePercent = 5.0
    /// At most one message per alert (kind and subject) in this time; its resolution is always sent.
    public var cooldown: Duration = .seconds(600)
    /// How often the conditions are checked.
    public var interval: Duration = .seconds(5)

    /// No destinations: alerts are off.
    public init() {}

    /// Whether any destination is configured.
    public var isEnabled: Bool { slackWebhook != nil || webhook != nil || command != nil }
}
