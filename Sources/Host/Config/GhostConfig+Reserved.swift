public import Foundation

extension GhostConfig {
    /// The host's own files, which no patch may name even inside a workspace (`path_reserved`): every
    /// queue's folder (inbox, `.completed/`, `.failed/`, `.ghost/`), the configuration file and the one
    /// the next start would discover (`./ghost.yml`), and the files exec plugins run. A patch that could
    /// write them could turn shell on, spawn patches, forge receipts or replace a plugin's code.
    /// - Parameter currentDirectory: Where `ghost serve` was started (it looks for `ghost.yml` there).
    public func reservedPaths(currentDirectory: URL) -> [String] {
        var paths = queues.map(\.directory.path)
        if origin.hasPrefix("/") { paths.append(origin) }
        paths.append(currentDirectory.appendingPathComponent("ghost.yml").standardizedFileURL.path)
        // A plugin's argv names its program and often a script: relative ones run in the workspace.
        for role in roles {
            for argument in role.argv where argument.contains("/") && !argument.hasPrefix("-") {
                if argument.hasPrefix("/") {
                    paths.append(argument)
                } else {
                    for queue in queues { paths.append(queue.workspace.appendingPathComponent(argument).standardizedFileURL.path) }
                }
            }
        }
        var seen: Set<String> = []
        return paths.filter { seen.insert($0).inserted }
    }
}
