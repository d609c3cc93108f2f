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

    /// A context.
    public init(patch: Patch, workspace: String, checkOnly: Bool = false, limits: PatchLimits = .default) {
        self.patch = patch
        self.workspace = workspace
        self.checkOnly = checkOnly
        self.limits = limits
    }
}
