public import ApplierAPI
import Foundation

/// The folder a queue's patches may change, and the only place GhostRunner writes to on their behalf.
///
/// Paths from patches are relative to the root, or absolute under the root or under one of the
/// ``aliases`` (absolute prefixes from another machine, such as `/Users/sawyer/gitSync`, that mean the root).
public struct Workspace: Sendable {
    /// The root as given, made absolute.
    public let root: String
    /// The root with symlinks resolved: what on-disk absolute symlinks are compared against.
    public let realRoot: String
    /// Absolute prefixes that stand for the root.
    public let aliases: [String]

    /// A workspace rooted at an existing folder.
    /// - Throws: ``Reason/ioError`` when the folder does not exist; ``Reason/invalidPatch`` for a relative alias.
    public init(root: String, aliases: [String] = []) throws(ApplyError) {
        let absolute = Self.normalize(root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root)
        guard let resolved = realpath(absolute, nil) else {
            throw ApplyError(.ioError, "workspace \(root) does not exist or cannot be read (\(String(cString: strerror(errno))))")
        }
        defer { free(resolved) }
        var isFolder: ObjCBool = false
        let real = String(cString: resolved)
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isFolder), isFolder.boolValue else {
            throw ApplyError(.ioError, "workspace \(root) is not a folder")
        }
        var normalizedAliases: [String] = []
        for alias in aliases {
            guard alias.hasPrefix("/") else { throw ApplyError(.invalidPatch, "workspace alias \(alias) must be an absolute path") }
            normalizedAliases.append(Self.normalize(alias))
        }
        self.root = absolute
        self.realRoot = real
        self.aliases = normalizedAliases
    }

    /// The components of `path` below the root, checked lexically: no NUL, no `..`, absolute only under
    /// the root or an alias. Symlinks are checked when the path is opened.
    /// - Throws: ``Reason/pathOutsideWorkspace`` with the reason.
    public func components(of path: String) throws(ApplyError) -> [String] {
        guard !path.utf8.contains(0) else { throw outside(path, "it contains a NUL byte") }
        guard !path.isEmpty else { throw ApplyError(.invalidPatch, "empty path") }
        var relative = path
        if path.hasPrefix("/") {
            let normalized = Self.normalize(path)
            guard let remainder = ([root, realRoot] + aliases).lazy.compactMap({ Self.remainder(of: normalized, under: $0) }).first else {
                let hint = aliases.isEmpty ? " (declare the prefix as a workspace alias if it means this workspace)" : ""
                throw outside(path, "it is an absolute path outside \(root)\(hint)")
            }
            relative = remainder
        }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        guard !parts.contains("..") else { throw outside(path, "it contains '..'") }
        guard !parts.isEmpty else { throw ApplyError(.invalidPatch, "path \(path) names the workspace itself, not a file in it") }
        return parts
    }

    func outside(_ path: String, _ why: String) -> ApplyError {
        ApplyError(.pathOutsideWorkspace, "refused \(path): \(why); nothing was written")
    }

    private static func remainder(of path: String, under prefix: String) -> String? {
        if prefix == "/" { return String(path.dropFirst()) }
        if path == prefix { return "" }
        guard path.hasPrefix(prefix + "/") else { return nil }
        return String(path.dropFirst(prefix.count + 1))
    }

    /// Collapses `//` and `/./` and drops a trailing slash; `..` is kept (and refused by ``components(of:)``).
    static func normalize(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }
}
