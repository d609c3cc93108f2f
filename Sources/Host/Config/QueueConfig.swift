public import ApplierAPI
public import Foundation

/// One named queue: its folder (the inbox and spool), the workspace its patches may change, and its policy.
public struct QueueConfig: Sendable, Equatable {
    /// The name (`MAIN`, `CYOPS`, `default`); letters, digits, `_` and `-`.
    public var name: String
    /// The inbox folder; `.completed/`, `.failed/` and `.ghost/` live inside it.
    public var directory: URL
    /// The folder patches may change.
    public var workspace: URL
    /// Absolute prefixes that mean the workspace (the users' old machine paths).
    public var aliases: [String]
    /// Whether and how shell steps run.
    public var shell: ShellPolicy
    /// Size and time limits for this queue's patches (`limits:` at the top, or under the queue).
    public var limits: PatchLimits
    /// How many host deaths while applying one patch alone are tolerated before it is filed `crashed_host`.
    public var crashRetries: Int
    /// A bearer token for this queue's own routes (`queues.X.token_env`), besides the host's.
    public var token: String?
    /// An HMAC secret for this queue's own routes (`queues.X.hmac_secret_env`), besides the host's.
    public var hmacSecret: String?
    /// How long finished patches stay in `.completed/` and `.failed/`, and ids in the history.
    public var retention: RetentionPolicy
    /// Whether `ghost serve` creates a missing workspace (`create_workspace: true`); otherwise a missing one
    /// stops the host at start.
    public var createWorkspace: Bool
    /// With a shared store: the host (its node name) that owns the queue when the queue is first created in
    /// the database; `nil` means the first host to start. The database decides ownership after that (a move,
    /// a takeover).
    public var owner: String?

    /// A queue.
    public init(
        name: String,
        directory: URL,
        workspace: URL,
        aliases: [String] = [],
        shell: ShellPolicy = .disabled,
        limits: PatchLimits = .default,
        crashRetries: Int = 2,
        token: String? = nil,
        hmacSecret: String? = nil,
        retention: RetentionPolicy = .default,
        createWorkspace: Bool = false,
        owner: String? = nil
    ) {
        self.owner = owner
        self.name = name
        self.directory = directory
        self.workspace = workspace
        self.aliases = aliases
        self.shell = shell
        self.limits = limits
        self.crashRetries = crashRetries
        self.token = token
        self.hmacSecret = hmacSecret
        self.retention = retention
        self.createWorkspace = createWorkspace
    }
}

/// A role served by an external program (the exec plugin protocol).
public struct ExecRoleConfig: Sendable, Equatable {
    /// The role name patches use.
    public var name: String
    /// The program and its arguments.
    public var argv: [String]
    /// How long the plugin may run for one patch.
    public var timeout: Duration
    /// The payload's JSON Schema (`roles.NAME.schema`), checked when a patch is accepted; `nil`: any payload.
    public var schema: PayloadSchema?

    /// An exec role.
    public init(name: String, argv: [String], timeout: Duration, schema: PayloadSchema? = nil) {
        self.name = name
        self.argv = argv
        self.timeout = timeout
        self.schema = schema
    }
}
