/// What an effect applier (shell and the like) needs to act on the world.
public struct EffectContext: Sendable {
    /// The whole patch the operation belongs to.
    public var patch: Patch
    /// The workspace's absolute path: the working directory for commands.
    public var workspace: String
    /// The queue's shell policy.
    public var policy: ShellPolicy
    /// The absolute path of a folder named relative to the workspace (a shell step's `cwd`), resolved
    /// through the workspace's containment: it fails ``Reason/pathOutsideWorkspace`` when the folder is,
    /// or a symlink on the way leads, outside the workspace. The host passes the real check; the default
    /// only joins the strings.
    public var resolveFolder: @Sendable (String) throws(ApplyError) -> String

    /// A context; `resolveFolder` defaults to `workspace + "/" + relative`.
    public init(
        patch: Patch,
        workspace: String,
        policy: ShellPolicy,
        resolveFolder: (@Sendable (String) throws(ApplyError) -> String)? = nil
    ) {
        self.patch = patch
        self.workspace = workspace
        self.policy = policy
        self.resolveFolder = resolveFolder ?? { relative in workspace + "/" + relative }
    }
}
