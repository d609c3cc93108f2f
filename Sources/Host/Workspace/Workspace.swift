public import ApplierAPI
import Foundation

/// The folder a queue's patches may change, and the only place GhostRunner writes to on their behalf.
///
/// Paths from patches are relative to the root, or absolute under the root or under one of the
/// ``aliases`` (absolute prefixes from another machine, such as `/Users/sawyer/gitSync`, that mean the root).
///
/// Paths are limited up front to ``maximumPathComponents`` components and ``maximumPathBytes`` bytes, and
/// never reach the host's own files (``reserved``): see ``init(root:aliases:reserved:)``.
public struct Workspace: Sendable {
    /// The most components a path may have (`a/b/c` has three): far beyond any real source tree, and small
    /// enough that a hostile path fails before a single folder is created.
    public static let maximumPathComponents = 64
    /// The longest path accepted, in bytes (Linux's `PATH_MAX`).
    public static let maximumPathBytes = 4096

    /// The root as given, made absolute.
    public let root: String
    /// The root with symlinks resolved: what on-disk absolute symlinks are compared against.
    public let realRoot: String
    /// Absolute prefixes that stand for the root.
    public let aliases: [String]
    /// The host's own files and folders inside the workspace, as canonical paths below ``realRoot``
    /// (`""` when the whole workspace lies inside a reserved folder). No patch reads or changes them.
    public let reserved: [String]

    /// A workspace rooted at an existing folder.
    /// - Parameters:
    ///   - root: The workspace folder.
    ///   - aliases: Absolute prefixes from other machines that mean the root.
    ///   - reserved: Absolute paths of the host's own files and folders (queue folders, the config, the
    ///     spool). A path a patch names that resolves, after symlinks, to one of them or to anything below
    ///     one fails with ``Reason/pathReserved``. They are compared by their real path: the longest prefix
    ///     that exists now has its symlinks resolved, so a folder created later is covered too. Entries
    ///     outside the workspace are irrelevant and ignored.
    /// - Throws: ``Reason/ioError`` when the folder does not exist; ``Reason/invalidPatch`` for a relative alias
    ///   or reserved path.
    public init(root: String, aliases: [String] = [], reserved: [String] = []) throws(ApplyError) {
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
        var reservedInside: [String] = []
        for path in reserved {
            guard path.hasPrefix("/") else { throw ApplyError(.invalidPatch, "reserved path \(path) must be an absolute path") }
            let canonical = Self.realPathOfLongestExistingPrefix(Self.normalize(path))
            if canonical == real || real.hasPrefix(canonical == "/" ? "/" : canonical + "/") {
                reservedInside.append("")
            } else if let below = Self.remainder(of: canonical, under: real) {
                reservedInside.append(below)
            }
        }
        self.root = absolute
        self.realRoot = real
        self.aliases = normalizedAliases
        self.reserved = reservedInside
    }

    /// `path` with the symlinks of its longest existing prefix resolved; the components that do not exist
    /// yet are appended as written.
    static func realPathOfLongestExistingPrefix(_ path: String) -> String {
        var parts = path.split(separator: "/").map(String.init)
        var missing: [String] = []
        while true {
            let prefix = "/" + parts.joined(separator: "/")
            if let resolved = realpath(prefix, nil) {
                defer { free(resolved) }
                return normalize(([String(cString: resolved)] + missing.reversed()).joined(separator: "/"))
            }
            guard let last = parts.popLast() else { return path }
            missing.append(last)
        }
    }

    /// True when `relative` (canonical, below the real root) is a reserved path or lies below one.
    func isReserved(_ relative: String) -> Bool {
        // Checked at every component of every path a patch names: bytes compared, nothing allocated.
        reserved.contains { entry in
            let (path, prefix) = (relative.utf8, entry.utf8)
            guard path.starts(with: prefix) else { return false }
            return prefix.isEmpty || path.count == prefix.count || path.dropFirst(prefix.count).first == UInt8(ascii: "/")
        }
    }

    /// The ``Reason/pathReserved`` error for `path`.
    func reservedError(_ path: String, _ relative: String) -> ApplyError {
        ApplyError(.pathReserved, "refused \(path): \(relative) is one of the host's own files; nothing was read or written")
    }

    /// The components of `path` below the root, checked lexically: no NUL, no `..`, absolute only under
    /// the root or an alias, at most ``maximumPathBytes`` bytes and ``maximumPathComponents`` components.
    /// Symlinks are checked when the path is opened.
    /// - Throws: ``Reason/pathOutsideWorkspace`` with the reason; ``Reason/limitExceeded`` for a path too long or too deep.
    public func components(of path: String) throws(ApplyError) -> [String] {
        guard !path.utf8.contains(0) else { throw outside(path, "it contains a NUL byte") }
        guard !path.isEmpty else { throw ApplyError(.invalidPatch, "empty path") }
        guard path.utf8.count <= Self.maximumPathBytes else {
            throw ApplyError(
                .limitExceeded,
                "refused a path of \(path.utf8.count) bytes (\(path.prefix(80))...): the limit is \(Self.maximumPathBytes); nothing was written"
            )
        }
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
        guard parts.count <= Self.maximumPathComponents else {
            throw ApplyError(
                .limitExceeded,
                "refused a path of \(parts.count) components (\(path.prefix(80))...): the limit is \(Self.maximumPathComponents); nothing was written"
            )
        }
        guard !parts.isEmpty else { throw ApplyError(.invalidPatch, "path \(path) names the workspace itself, not a file in it") }
        return parts
    }

    func outside(_ path: String, _ why: String) -> ApplyError {
        ApplyError(.pathOutsideWorkspace, "refused \(path): \(why); nothing was written")
    }

    static func remainder(of path: String, under prefix: String) -> String? {
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
