import ApplierAPI
import Appliers
import Foundation
import Host

func mode(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
}

/// Every entry below `folder`, sorted, for "nothing else was left on disk" checks.
func listing(_ folder: String) -> [String] {
    (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
}

func runPatch(_ json: String, in root: String, aliases: [String] = [], options: RunOptions = RunOptions()) async throws -> Receipt {
    let workspace = try Workspace(root: root, aliases: aliases)
    return await PatchRunner(registry: .builtIn()).run(json: Array(json.utf8), in: workspace, options: options)
}

let shellAllowed = RunOptions(shellPolicy: ShellPolicy(enabled: true, timeout: .seconds(30)))
