/// Whether and how shell steps may run for a queue (or a `ghost apply` invocation).
public struct ShellPolicy: Sendable {
    /// False: every shell step fails with ``Reason/shellDisabled`` and nothing runs.
    public var enabled: Bool
    /// When non-empty, a command runs only if one of these PCRE2 patterns matches it somewhere
    /// (anchor with `^...$` for a whole-command match); otherwise ``Reason/shellNotAllowed``.
    public var allow: [String]
    /// Time limit for one command unless the step names a shorter one.
    public var timeout: Duration
    /// Variables added to the scrubbed environment (PATH, HOME, LANG are passed through).
    public var environment: [String: String]
    /// How many bytes of the end of stdout and of stderr the receipt keeps.
    public var outputTailBytes: Int
    /// The variable names a step's own `env` may set (`shell.env_allow`); anything else fails the step.
    public var environmentAllow: [String]
    /// The PATH programs are looked up in (`shell.path`); `nil`: the host's own PATH.
    public var searchPath: String?

    /// A policy.
    public init(
        enabled: Bool,
        allow: [String] = [],
        timeout: Duration = .seconds(300),
        environment: [String: String] = [:],
        outputTailBytes: Int = 16 * 1024,
        environmentAllow: [String] = [],
        searchPath: String? = nil
    ) {
        self.enabled = enabled
        self.allow = allow
        self.timeout = timeout
        self.environment = environment
        self.outputTailBytes = outputTailBytes
        self.environmentAllow = environmentAllow
        self.searchPath = searchPath
    }

    /// Shell off: the default everywhere.
    public static let disabled = ShellPolicy(enabled: false)
}
