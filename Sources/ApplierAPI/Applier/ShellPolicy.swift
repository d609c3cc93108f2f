/// Whether and how shell steps may run for a queue (or a `ghost apply` invocation).
public struct ShellPolicy: Sendable, Equatable {
    /// False: every shell step fails with ``Reason/shellDisabled`` and nothing runs.
    public var enabled: Bool
    /// When non-empty, a command runs only if one of these PCRE2 patterns matches the whole command
    /// (as if written `\A(?:pattern)\z`: `^npx tsc` admits exactly `npx tsc`, not `npx tsc & id`;
    /// write `^npx tsc( --noEmit)?$` for more); otherwise ``Reason/shellNotAllowed``. An `argv` step is
    /// matched as its words quoted for a shell (`printf 'a b'`). Under an allow list a command line runs
    /// as plain words without a shell: operators, expansions, redirections and globs are refused.
    public var allow: [String]
    /// Time limit for one command unless the step names a shorter one.
    public var timeout: Duration
    /// Variables added to the scrubbed environment (PATH, HOME, LANG are passed through).
    public var environment: [String: String]
    /// How many bytes of the end of stdout and of stderr the receipt keeps.
    public var outputTailBytes: Int
    /// The variable names a step's own `env` may set (`shell.env_allow`). Under an allow list, or when
    /// this is non-empty, any other name fails the step with ``Reason/shellNotAllowed`` before anything runs;
    /// with shell on and neither list, only names that load other code are refused. PATH, `LD_*`,
    /// `BASH_ENV`, `ENV` and a few more are refused even when listed (the rules are in the shell applier).
    public var environmentAllow: [String]
    /// The PATH programs are looked up in (`shell.path`); `nil`: the policy's `env` PATH, else the host's.
    /// It is also the command's PATH. Under an allow list only its absolute folders outside the
    /// workspace are searched and passed on.
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
