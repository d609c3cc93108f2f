public import ApplierAPI
import Appliers

extension GhostConfig {
    /// `registry` plus an ``ExecApplier`` for every role under `roles:`; a configured role of the same
    /// name as a built-in one replaces it.
    public func registry(extending registry: ApplierRegistry) -> ApplierRegistry {
        var registry = registry
        for role in roles { registry.register(ExecApplier(name: role.name, argv: role.argv, timeout: role.timeout, schema: role.schema)) }
        return registry
    }
}
