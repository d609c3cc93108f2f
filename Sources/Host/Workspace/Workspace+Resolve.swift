import ApplierAPI
import Foundation

extension Workspace {
    /// The most symlinks followed while resolving one path (as the kernel's own limit).
    static let maximumSymlinkHops = 40

    /// Opens the parent folder of `path` one component at a time from the root, never following a
    /// symlink blindly: a link is read and followed only while its target stays inside the workspace,
    /// so a link to `/etc` (made before this patch or by an earlier step of it) is refused.
    /// - Parameters:
    ///   - path: The path as written in a patch.
    ///   - createFolders: Create missing folders (for writes); otherwise a missing folder returns `nil`.
    ///   - followFinalSymlink: Resolve a symlink in the last component too (reads and writes do; deletes do not).
    /// - Returns: The open parent and final name, or `nil` when a folder on the way does not exist.
    /// - Throws: ``Reason/pathOutsideWorkspace``, ``Reason/pathReserved`` for a path that reaches one of the
    ///   host's own files (checked at every component, so no folder is ever created inside one),
    ///   ``Reason/limitExceeded`` for a path too deep or too long, ``Reason/ioError``. Folders created before
    ///   a failure are removed again.
    func resolve(_ path: String, createFolders: Bool, followFinalSymlink: Bool = true) throws(ApplyError) -> ResolvedPath? {
        var created: [String] = []
        do {
            return try resolve(path, createFolders: createFolders, followFinalSymlink: followFinalSymlink, created: &created)
        } catch {
            removeEmptyFolders(created)
            throw error
        }
    }

    private func resolve(_ path: String, createFolders: Bool, followFinalSymlink: Bool, created: inout [String]) throws(ApplyError) -> ResolvedPath? {
        var pending = try components(of: path)
        let rootFD = open(realRoot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw ApplyError.system("cannot open workspace \(root)") }
        // The chain of open folders from the root; the last is where the next component is looked up.
        var chain: [(fd: Int32, name: String)] = [(rootFD, "")]
        var hops = 0
        func closeAll() { for entry in chain { close(entry.fd) } }
        func relativeOf(_ name: String) -> String { (chain.dropFirst().map(\.name) + [name]).joined(separator: "/") }

        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name == "." || name.isEmpty { continue }
            if name == ".." {
                guard chain.count > 1 else {
                    closeAll()
                    throw outside(path, "a symlink on the way leads above the workspace")
                }
                close(chain.removeLast().fd)
                continue
            }
            if !reserved.isEmpty {
                let candidate = relativeOf(name)
                if isReserved(candidate) {
                    closeAll()
                    throw reservedError(path, candidate)
                }
            }
            let current = chain[chain.count - 1].fd
            let isLast = pending.isEmpty
            var info = stat()
            if fstatat(current, name, &info, AT_SYMLINK_NOFOLLOW) != 0 {
                let code = errno
                guard code == ENOENT else {
                    closeAll()
                    throw ApplyError.system("cannot inspect \(relativeOf(name))", errno: code)
                }
                if isLast {
                    pending.insert(name, at: 0)
                    break
                }
                guard createFolders else {
                    closeAll()
                    return nil
                }
                guard mkdirat(current, name, 0o755) == 0 || errno == EEXIST else {
                    let error = ApplyError.system("cannot create folder \(relativeOf(name))")
                    closeAll()
                    throw error
                }
                created.append(relativeOf(name))
                info.st_mode = S_IFDIR
            }
            let kind = info.st_mode & S_IFMT
            if kind == S_IFLNK && (!isLast || followFinalSymlink) {
                hops += 1
                guard hops <= Self.maximumSymlinkHops else {
                    closeAll()
                    throw ApplyError(.ioError, "too many symlinks while resolving \(path)")
                }
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let length = readlinkat(current, name, &buffer, buffer.count - 1)
                guard length >= 0 else {
                    let error = ApplyError.system("cannot read symlink \(relativeOf(name))")
                    closeAll()
                    throw error
                }
                let target = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                var targetParts = target.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
                if target.hasPrefix("/") {
                    let normalized = Self.normalize(target)
                    let inside = normalized == realRoot || normalized.hasPrefix(realRoot == "/" ? "/" : realRoot + "/")
                    guard inside else {
                        let linkPath = relativeOf(name)
                        closeAll()
                        throw outside(path, "symlink \(linkPath) points outside the workspace, to \(target)")
                    }
                    targetParts = String(normalized.dropFirst(realRoot.count)).split(separator: "/").map(String.init)
                    while chain.count > 1 { close(chain.removeLast().fd) }
                }
                pending.insert(contentsOf: targetParts, at: 0)
                continue
            }
            if isLast {
                pending.insert(name, at: 0)
                break
            }
            guard kind == S_IFDIR else {
                let linkPath = relativeOf(name)
                closeAll()
                throw ApplyError(.ioError, "\(linkPath) is not a folder")
            }
            let next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else {
                let code = errno
                let linkPath = relativeOf(name)
                closeAll()
                if code == ELOOP || code == ENOTDIR { throw outside(path, "\(linkPath) changed into a symlink while it was opened") }
                throw ApplyError.system("cannot open folder \(linkPath)", errno: code)
            }
            chain.append((next, name))
        }
        guard let finalName = pending.first else {
            closeAll()
            throw ApplyError(.invalidPatch, "path \(path) resolves to the workspace itself, not a file in it")
        }
        let relative = relativeOf(finalName)
        let parent = chain.removeLast()
        for entry in chain { close(entry.fd) }
        return ResolvedPath(parent: parent.fd, name: finalName, relative: relative, createdFolders: created)
    }
}
