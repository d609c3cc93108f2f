/// How a role presents itself in `ghost roles` and in error messages.
public struct RoleDescriptor: Sendable, Hashable {
    /// The canonical role name (`ui_patch`).
    public var name: String
    /// Other names that select the same applier (`regex`).
    public var aliases: [String]
    /// One line saying what the role does.
    public var summary: String
    /// Where the applier comes from: `built-in`, `exec: /path/to/plugin`, or a package name.
    public var origin: String
    /// A JSON Schema (2020-12) of the payload (`patch`, or a v2 mutation's own fields), for `ghost schema`
    /// and the tool definitions a model is given; `nil` when the role does not say.
    public var payloadSchema: JSONValue?
    /// Whether a patch of this role names its file in `target_file`.
    public var targetFile: TargetFileUse

    /// How a role uses the envelope's `target_file`.
    public enum TargetFileUse: String, Sendable, Hashable {
        /// The role edits that file and needs it.
        case required
        /// The payload may name its files instead (`search_replace` edits with a `path`).
        case optional
        /// The role edits no named file (`shell`).
        case unused
    }

    /// A descriptor.
    public init(
        name: String,
        aliases: [String] = [],
        summary: String,
        origin: String = "built-in",
        payloadSchema: JSONValue? = nil,
        targetFile: TargetFileUse = .required
    ) {
        self.name = name
        self.aliases = aliases
        self.summary = summary
        self.origin = origin
        self.payloadSchema = payloadSchema
        self.targetFile = targetFile
    }

    /// The name followed by the aliases.
    package var allNames: [String] { [name] + aliases }
}
