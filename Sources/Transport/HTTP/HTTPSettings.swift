/// How the HTTP transport listens and whom it lets in.
public struct HTTPSettings: Sendable {
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
    /// Connections served at once; more wait in the listen backlog.
    public var maxConnections: Int

    /// Settings; by default loopback port 5051 with no credentials and a 10 MiB body limit.
    public init(
        host: String = "127.0.0.1",
        port: Int = 5051,
        token: String? = nil,
        hmacSecret: String? = nil,
        maxBodyBytes: Int = 10 << 20,
        maxWait: Duration = .seconds(300),
        idleTimeout: Duration = .seconds(30),
        maxConnections: Int = 512
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.hmacSecret = hmacSecret
        self.maxBodyBytes = maxBodyBytes
        self.maxWait = maxWait
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    /// True when a credential is configured.
    public var requiresAuthentication: Bool { token != nil || hmacSecret != nil }

    /// True when `host` only accepts connections from this machine.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
