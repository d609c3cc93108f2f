/// `store: {postgres: {url_env: GHOST_DATABASE_URL}}`: the queues live in one PostgreSQL database that many
/// hosts share (see `docs/many-hosts.md`). Without it the host keeps everything in its spools.
public struct SharedStoreSettings: Sendable, Equatable {
    /// The connection URL (`postgres://user:password@host:port/database`), read from `url_env`.
    public var url: String
    /// The environment variable that held it, for messages.
    public var urlEnvironmentVariable: String
    /// How long a host owns its queues without renewing (`lease_s`, default 10 s): past it, another host that
    /// reaches the same workspace may take a queue over.
    public var lease: Duration
    /// How often a host looks for work it was not woken for (`poll_ms`, default 1 s).
    public var poll: Duration

    /// Settings.
    public init(url: String, urlEnvironmentVariable: String = "GHOST_DATABASE_URL", lease: Duration = .seconds(10), poll: Duration = .seconds(1)) {
        self.url = url
        self.urlEnvironmentVariable = urlEnvironmentVariable
        self.lease = lease
        self.poll = poll
    }
}
