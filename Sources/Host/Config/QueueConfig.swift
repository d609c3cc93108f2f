public import ApplierAPI
public import Foundation

/// One named queue: its folder (the inbox and spool), the workspace its patches may change, and its policy.
public struct QueueConfig: Sendable {
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

    /// A queue.
    public init(name: String, directory: URL, workspace: URL, aliases: [String] = [], shell: ShellPolicy = .disabled) {
        self.name = name
        self.directory = directory
        self.workspace = workspace
        self.aliases = aliases
        self.shell = shell
    }
}

/// A role served by an external program (the exec plugin protocol).
public struct ExecRoleConfig: Sendable {
    /// The role name patches use.
    public var name: String
    /// The program and its arguments.
    public var argv: [String]
    /// How long the plugin may run for one patch.
    public var timeout: Duration

    /// An exec role.
    public init(name: String, argv: [String], timeout: Duration) {
        self.name = name
        self.argv = argv
        self.timeout = timeout
    }
}
