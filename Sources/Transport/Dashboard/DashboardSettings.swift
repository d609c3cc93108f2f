/// The dashboard the host serves at `/` (`dashboard:` in the config).
public struct DashboardSettings: Sendable, Equatable {
    /// Whether `/` serves the page (`dashboard.enabled`, on by default); off, the page, its assets and
    /// `/api/session` answer 404 while the API stays as it is.
    public var enabled: Bool
    /// Whether the page only shows (`dashboard.read_only`): it has no buttons, and the host refuses (403)
    /// state-changing calls authenticated by the session cookie, or made by a page on a host without credentials.
    public var readOnly: Bool

    /// How often the event stream looks at the host (tests shorten it).
    package var eventInterval = Duration.seconds(1)
    /// The longest silence on the event stream before a heartbeat (tests shorten it).
    package var heartbeatInterval = Duration.seconds(15)

    /// Settings; by default the dashboard is served and may act.
    public init(enabled: Bool = true, readOnly: Bool = false) {
        self.enabled = enabled
        self.readOnly = readOnly
    }
}
