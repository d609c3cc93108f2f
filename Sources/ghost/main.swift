import Appliers
import ApplierAPI
import GhostCLI

await GhostCommand.main(registry: .builtIn())
