/// How the HTTP transport listens and whom it lets in.
public struct HTTPSettings: Sendable, Equatable {
    /// The address to bind (`127.0.0.1` unless configured).
    public var host: String
    /// The port (`5051`, the seed's); `0` picks a free one.
    public var port: Int
    /// The bearer token `Authorization: Bearer <token>` must carry, when set.
    public var token: String?
    /// The secret of `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, when set.
    public var hmacSecret: String?
    /// The largest request body taken; larger ones get 413 before they are read.
    public var maxBodyBytes: Int
    /// The longest `?wait=SECONDS` honoured.
    public var maxWait: Duration
    /// A connection idle (or a client sending too slowly) this long is closed.
    public var idleTimeout: Duration
    /// Connections served at once. A new connection past the cap closes the oldest one still sending
    /// its request head; when none is, the new one is closed.
    public var maxConnections: Int
    /// The longest a client may take to send a request head (from the connection's start, or the end of
    /// its previous request); a slower one is closed.
    public var headerTimeout: Duration
    /// The longest a client may take to send a request body once its head is in.
    public var bodyTimeout: Duration
    /// `Host` names accepted besides loopback names and addresses (`http.allowed_hosts`; `*` accepts any).
    public var allowedHosts: [String]
    /// Web origins (`https://app.example`) whose pages may call the API (`http.allowed_origins`); they get CORS headers.
    public var allowedOrigins: [String]
    /// Credentials of single queues (`queues.X.token_env`, `queues.X.hmac_secret_env`), by queue name: they
    /// open that queue's routes only.
    public var queueCredentials: [String: QueueCredentials]
    /// The queue `POST /api/patches` feeds (whose own credentials open it); set by the host.
    public var defaultQueue: String = "default"
    /// The dashboard at `/` (`dashboard:`): served and able to act unless configured otherwise.
    public var dashboard = DashboardSettings()

    /// Settings; by default loopback port 5051 with no credentials and a 10 MiB body limit.
    public init(
        host: String = "127.0.0.1",
        port: Int = 5051,
        token: String? = nil,
        hmacSecret: String? = nil,
        maxBodyBytes: Int = 10 << 20,
        maxWait: Duration = .seconds(300),
        idleTimeout: Duration = .seconds(30),
        maxConnections: Int = 512,
        headerTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(60),
        allowedHosts: [String] = [],
        allowedOrigins: [String] = [],
        queueCredentials: [String: QueueCredentials] = [:]
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.hmacSecret = hmacSecret
        self.maxBodyBytes = maxBodyBytes
        self.maxWait = maxWait
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.allowedHosts = allowedHosts
        self.allowedOrigins = allowedOrigins
        self.queueCredentials = queueCredentials
    }

    /// True when a credential is configured.
    package var requiresAuthentication: Bool { token != nil || hmacSecret != nil }

    /// True when every address `host` resolves to is a loopback address (decided by the addresses, not
    /// the name's text: a name in `/etc/hosts` may point anywhere).
    package var isLoopback: Bool { LoopbackAddress.resolvesOnlyToLoopback(host) }
}

/// The credentials of one queue's own routes.
public struct QueueCredentials: Sendable, Hashable {
    /// The bearer token, when set.
    public var token: String?
    /// The HMAC secret, when set.
    public var hmacSecret: String?

    /// Credentials.
    public init(token: String?, hmacSecret: String?) {
        self.token = token
        self.hmacSecret = hmacSecret
    }
}
