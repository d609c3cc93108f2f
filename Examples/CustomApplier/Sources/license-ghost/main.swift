import ApplierAPI
import Appliers
import GhostCLI
import LicenseHeader

// Every built-in role plus license_header; `license-ghost apply`, `serve`, `roles`, ... work as `ghost` does.
var registry = ApplierRegistry.builtIn()
registry.register(LicenseHeaderApplier())
await GhostCommand.main(registry: registry)
