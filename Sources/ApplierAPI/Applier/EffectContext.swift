/// What an effect applier (shell and the like) needs to act on the world.
public struct EffectContext: Sendable {
    /// The whole patch the operation belongs to.
    public var patch: Patch
    /// The workspace's absolute path: the working directory for commands.
    public var workspace: String
    /// The queue's shell policy.
    public var policy: ShellPolicy

    /// A context.
    public init(patch: Patch, workspace: String, policy: ShellPolicy) {
        self.patch = patch
        self.workspace = workspace
        self.policy = policy
    }
}
