public import Foundation

extension GhostConfig {
    /// The host's own files, which no patch may name even inside a workspace (`path_reserved`): every
    /// queue's folder (inbox, `.completed/`, `.failed/`, `.ghost/`), the configuration file and the one
    /// the next start would discover (`./ghost.yml`), the files exec plugins run, and each workspace's
    /// `.git` folder. A patch that could write them could turn shell on, spawn patches, forge receipts,
    /// replace a plugin's code, or make an allowed `git status` run its own program (`core.fsmonitor`,
    /// hooks).
    /// - Parameter currentDirectory: Where `ghost serve` was started (it looks for `ghost.yml` there).
    public func reservedPaths(currentDirectory: URL) -> [String] {
        var paths = queues.map(\.directory.path)
        if origin.hasPrefix("/") { paths.append(origin) }
        paths.append(currentDirectory.appendingPathComponent("ghost.yml").standardizedFileURL.path)
        paths += queues.map { $0.workspace.appendingPathComponent(".git").standardizedFileURL.path }
        // A shared store's queue markers (docs/many-hosts.md), in every workspace: nested ones included.
        paths += queues.map { $0.workspace.appendingPathComponent(".ghost-owner").standardizedFileURL.path }
        // A plugin's argv names its program and often a script: relative ones run in the workspace. The
        // script's folder is reserved too, since interpreters load code beside it (Python puts it first on
        // sys.path, so a patch's `plugins/json.py` would replace the `json` module; a shell script may source
        // a neighbour), unless that folder holds a workspace, which would then be refused whole.
        let workspaces = queues.map { ConfigSafety.realPath($0.workspace.path) }
        for role in roles {
            for argument in role.argv where argument.contains("/") && !argument.hasPrefix("-") {
                let scripts =
                    argument.hasPrefix("/")
                    ? [URL(fileURLWithPath: argument).standardizedFileURL]
                    : queues.map { $0.workspace.appendingPathComponent(argument).standardizedFileURL }
                for script in scripts {
                    paths.append(script.path)
                    let folder = ConfigSafety.realPath(script.deletingLastPathComponent().path)
                    if !workspaces.contains(where: { $0 == folder || ConfigSafety.isInside($0, folder) }) { paths.append(folder) }
                }
            }
        }
        var seen: Set<String> = []
        return paths.filter { seen.insert($0).inserted }
    }
}
