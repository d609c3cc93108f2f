/// One step of a patch after normalisation: which role does it, to what, with what payload.
///
/// A v1 envelope becomes one operation (its `role`, `target_file` and `patch`); a v2 block becomes
/// one operation per mutation (role `upsert`, `delete`, `chmod`, `insertAfter`, `insertBefore` or
/// `insertAt`, the mutation object as payload) plus one `shell` operation per phase command.
public struct PatchOperation: Sendable, Hashable {
    /// The role that selects the applier (a name or an alias).
    public var role: String
    /// When it runs.
    public var phase: Phase
    /// The file it edits, as written in the patch (relative to the workspace, or absolute).
    public var target: String?
    /// The role-specific payload: v1's `patch`, a v2 mutation object, or a shell command.
    public var payload: JSONValue
    /// Position of this operation in its patch, from 0.
    public var index: Int

    /// An operation.
    public init(role: String, phase: Phase = .mutation, target: String? = nil, payload: JSONValue, index: Int = 0) {
        self.role = role
        self.phase = phase
        self.target = target
        self.payload = payload
        self.index = index
    }
}
