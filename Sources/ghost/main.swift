import ApplierAPI
import Appliers
import GhostCLI

await GhostCommand.main(registry: .builtIn())
