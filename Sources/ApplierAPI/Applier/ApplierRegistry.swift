/// The appliers a host knows, keyed by role name and alias.
///
/// Later registrations win, so a custom host or a config can replace a built-in role.
public struct ApplierRegistry: Sendable {
    /// An applier of either kind.
    public enum Entry: Sendable {
        /// A file-editing applier.
        case content(any ContentApplier)
        /// A world-acting applier.
        case effect(any EffectApplier)

        /// The applier's descriptor.
        package var descriptor: RoleDescriptor {
            switch self {
            case .content(let applier): applier.descriptor
            case .effect(let applier): applier.descriptor
            }
        }
    }

    private var entries: [String: Entry] = [:]
    private var order: [String] = []

    /// An empty registry.
    public init() {}

    /// Registers a content applier under its name and aliases.
    public mutating func register(_ applier: any ContentApplier) { add(.content(applier)) }

    /// Registers an effect applier under its name and aliases.
    public mutating func register(_ applier: any EffectApplier) { add(.effect(applier)) }

    private mutating func add(_ entry: Entry) {
        let descriptor = entry.descriptor
        if let previous = entries[descriptor.name] {
            for name in previous.descriptor.allNames { entries[name] = nil }
        }
        for name in descriptor.allNames { entries[name] = entry }
        order.removeAll { $0 == descriptor.name }
        order.append(descriptor.name)
    }

    /// The applier for a role name or alias.
    public func entry(for role: String) -> Entry? { entries[role] }

    /// Every registered role, in registration order (a replaced role keeps its newest place).
    package var descriptors: [RoleDescriptor] {
        order.compactMap { name in
            guard let entry = entries[name], entry.descriptor.name == name else { return nil }
            return entry.descriptor
        }
    }

    /// Every name and alias, sorted: for `unknown_role` messages.
    package var knownNames: [String] { entries.keys.sorted() }
}
