import Foundation

/// A path opened for I/O: its parent folder held open (no later symlink swap can redirect it) and its final name.
final class ResolvedPath {
    /// The parent folder, opened with `O_NOFOLLOW` at every step from the root.
    let parent: Int32
    /// The file's name inside `parent`.
    let name: String
    /// The canonical path below the root (symlinks inside the workspace resolved).
    let relative: String
    /// Folders created to reach `parent`, outermost first (relative paths), for rollback.
    let createdFolders: [String]

    init(parent: Int32, name: String, relative: String, createdFolders: [String]) {
        self.parent = parent
        self.name = name
        self.relative = relative
        self.createdFolders = createdFolders
    }

    deinit { close(parent) }
}
