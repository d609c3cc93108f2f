import Foundation

extension QueueConfig {
    /// Checks, before the host starts, that the workspace is an existing folder: a mistyped path must stop
    /// the host with the key and the path, not become a new empty folder. With `create_workspace: true` on
    /// the queue a missing workspace is created instead.
    func prepareWorkspace() throws(ConfigError) {
        let key = "queues.\(name).workspace"
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: workspace.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw ConfigError(key, "\(workspace.path) is not a folder") }
            return
        }
        guard createWorkspace else {
            throw ConfigError(
                key,
                "the workspace \(workspace.path) does not exist; create it, correct the path, or set create_workspace: true on queue \(name)"
            )
        }
        do {
            try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        } catch {
            throw ConfigError(key, "cannot create the workspace \(workspace.path): \(error.localizedDescription)")
        }
    }
}
