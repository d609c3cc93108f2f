package import ApplierAPI
import Foundation

/// Finds the program a command names on the policy's search path, never in the workspace.
///
/// Only absolute PATH entries count (an empty entry, `.` or `bin` would mean the step's working folder,
/// which is the workspace), and an entry whose real path is the workspace or inside it is skipped. The
/// program found must be an executable regular file whose real path is not in the workspace either.
/// A command that names a path itself (`./scripts/build.sh`, `/usr/bin/env`) is not looked up: the
/// allow list admitted that exact text.
package struct ProgramSearch: Sendable {
    /// The absolute folders searched, in order (also the child's PATH).
    package let folders: [String]
    /// The workspace's real path (`nil`: unknown, nothing is excluded for being inside it).
    package let workspace: String?

    /// A search over `path` (a PATH string) that excludes `workspace`.
    package init(path: String, workspace: String) {
        let realWorkspace = Self.realPath(workspace)
        self.workspace = realWorkspace
        self.folders = path.split(separator: ":", omittingEmptySubsequences: true).map(String.init).filter { folder in
            guard folder.hasPrefix("/") else { return false }
            guard let realWorkspace, let real = Self.realPath(folder) else { return true }
            return !Self.isInside(real, realWorkspace)
        }
    }

    /// The folders joined as a PATH value.
    package var pathValue: String { folders.joined(separator: ":") }

    /// The absolute path of the program `name` names.
    /// - Parameter directory: The folder a relative path such as `./build.sh` is taken from.
    /// - Throws: ``Reason/shellNotAllowed`` when a bare name is found in no folder of the search path.
    package func locate(_ name: String, directory: String) throws(ApplyError) -> String {
        if name.hasPrefix("/") { return name }
        if name.contains("/") { return directory + "/" + name }
        for folder in folders {
            let candidate = folder + "/" + name
            guard Self.isExecutableFile(candidate) else { continue }
            if let workspace, let real = Self.realPath(candidate), Self.isInside(real, workspace) { continue }
            return candidate
        }
        throw ApplyError(
            .shellNotAllowed,
            "program '\(name)' is not on the shell path (\(pathValue)); relative entries and folders in the workspace are never searched"
        )
    }

    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func isInside(_ path: String, _ folder: String) -> Bool {
        folder == "/" || path == folder || path.hasPrefix(folder + "/")
    }
}
