import Foundation

/// The checks that refuse a dangerous configuration before the host starts: a workspace that is the
/// whole system or the user's home, an inbox anyone on the machine may write to.
enum ConfigSafety {
    /// Folders no queue may have as its workspace (nor `/` itself).
    static let systemFolders = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sbin", "/sys", "/usr", "/var"]

    /// Refuses a queue whose workspace is `/`, a system folder, the home folder or a folder above it, or whose inbox
    /// is world-writable. `embedded` tailors the message for `ghost serve` run with no config.
    static func check(
        _ queue: QueueConfig,
        line: Int?,
        embedded: Bool = false,
        home: String = FileManager.default.homeDirectoryForCurrentUser.path
    ) throws(ConfigError) {
        let workspace = realPath(queue.workspace.path)
        let key = embedded ? "workspace" : "queues.\(queue.name).workspace"
        let what = embedded ? "with no ghost.yml, the workspace is the current folder, \(workspace)" : "workspace \(workspace)"
        let advice =
            embedded
            ? "start ghost serve in a project folder, or pass --config with a workspace"
            : "point it at a project folder"
        if workspace == "/" || systemFolders.contains(where: { workspace == $0 || workspace == realPath($0) }) {
            throw ConfigError(key, "\(what) is a system folder: patches could change the whole machine; \(advice)", line: line)
        }
        if workspace == realPath(home) {
            throw ConfigError(key, "\(what) is your home folder: patches could change every file you own; \(advice)", line: line)
        }
        // A folder above the home folder (`/home`) holds it, and every file in it, too.
        if isInside(realPath(home), workspace) {
            throw ConfigError(key, "\(what) holds your home folder: patches could change every file you own; \(advice)", line: line)
        }
        var info = stat()
        if stat(queue.directory.path, &info) == 0, info.st_mode & S_IWOTH != 0 {
            throw ConfigError(
                embedded ? "dir" : "queues.\(queue.name).dir",
                "inbox \(queue.directory.path) is writable by every user of this machine, who could then send patches: "
                    + "chmod o-w it, or choose another folder",
                line: line
            )
        }
    }

    /// The path with symlinks resolved as far as it exists; the rest appended as written.
    static func realPath(_ path: String) -> String {
        Workspace.realPathOfLongestExistingPrefix(Workspace.normalize(path))
    }

    /// True when `inner` is strictly below `outer`.
    static func isInside(_ inner: String, _ outer: String) -> Bool {
        inner.hasPrefix(outer == "/" ? "/" : outer + "/") && inner != outer
    }
}
