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

    /// A descriptor.
    public init(name: String, aliases: [String] = [], summary: String, origin: String = "built-in") {
        self.name = name
        self.aliases = aliases
        self.summary = summary
        self.origin = origin
    }

    /// The name followed by the aliases.
    package var allNames: [String] { [name] + aliases }
}
