/// What a content applier may know besides the files: the patch it belongs to and the workspace.
public struct ApplyContext: Sendable {
    /// The whole patch the operation belongs to.
    public var patch: Patch
    /// The workspace's absolute path (informational: appliers never touch the disk themselves).
    public var workspace: String
    /// True under `--check`: nothing will be written whatever the applier returns.
    public var checkOnly: Bool
    /// The limits the patch runs under (file size, regex budget).
    public var limits: PatchLimits
    /// The regex matching time left to the whole patch: one object shared by every operation of the patch.
    public var regexBudget: RegexBudget

    /// A context; without `regexBudget`, a fresh budget of `limits.regexMilliseconds` (pass the same one to
    /// every operation of a patch so that the budget is the patch's, not each operation's).
    public init(patch: Patch, workspace: String, checkOnly: Bool = false, limits: PatchLimits = .default, regexBudget: RegexBudget? = nil) {
        self.patch = patch
        self.workspace = workspace
        self.checkOnly = checkOnly
        self.limits = limits
        self.regexBudget = regexBudget ?? RegexBudget(milliseconds: limits.regexMilliseconds)
    }
}
