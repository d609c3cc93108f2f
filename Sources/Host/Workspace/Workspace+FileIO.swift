public import ApplierAPI
import Foundation

extension Workspace {
    /// Reads a file through ``resolve(_:createFolders:followFinalSymlink:)``.
    /// - Returns: The canonical relative path and the content, `nil` content when the file does not exist.
    /// - Throws: ``Reason/pathOutsideWorkspace``, ``Reason/limitExceeded`` over `maxBytes`, ``Reason/ioError``.
    public func read(_ path: String, maxBytes: Int = PatchLimits.default.maxFileBytes) throws(ApplyError) -> (relative: String, content: FileContent?)
    {
        guard let resolved = try resolve(path, createFolders: false) else {
            return (try components(of: path).joined(separator: "/"), nil)
        }
        guard let (fd, info) = try openRegular(resolved, path: path) else { return (resolved.relative, nil) }
        defer { close(fd) }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            throw ApplyError(.limitExceeded, "\(resolved.relative) is \(size) bytes; the file size limit is \(maxBytes)")
        }
        // A file that grows while it is read (a process still writing it) stops at the limit too.
        let bytes = try Self.readAll(fd, expected: size, name: resolved.relative, limit: maxBytes)
        return (resolved.relative, FileContent(bytes: bytes, mode: UInt16(info.st_mode & 0o7777)))
    }

    /// Replaces (or creates) a file atomically: a temp file in the same folder, written, given its mode,
    /// fsynced, renamed over the target, then the folder fsynced. Readers see the old bytes or the new, never a mix.
    /// - Returns: Folders created on the way, outermost first.
    ///   Only the permission bits (`0o777`) of `mode` are used: never setuid, setgid or sticky. Folders
    ///   created for a write that fails are removed again.
    @discardableResult
    public func writeAtomically(_ path: String, bytes: [UInt8], mode: UInt16) throws(ApplyError) -> [String] {
        let mode = mode & Self.permissionBits
        guard let resolved = try resolve(path, createFolders: true) else { throw ApplyError(.ioError, "cannot create the folders of \(path)") }
        let temp = ".\(Self.sideStem(resolved.name)).ghost-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        var done = false
        defer {
            if !done { removeEmptyFolders(resolved.createdFolders) }
        }
        let fd = openat(resolved.parent, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw ApplyError.system("cannot create a temp file beside \(resolved.relative)") }
        defer {
            if !done { unlinkat(resolved.parent, temp, 0) }
        }
        do {
            defer { close(fd) }
            try Self.writeAll(fd, bytes, name: resolved.relative)
            guard fchmod(fd, mode_t(mode)) == 0 else { throw ApplyError.system("cannot set the mode of \(resolved.relative)") }
            // An fsync error means the data may not be on disk: never trust it, never retry it.
            guard fsync(fd) == 0 else { throw ApplyError.system("fsync of \(resolved.relative) failed") }
        }
        guard renameat(resolved.parent, temp, resolved.parent, resolved.name) == 0 else {
            throw ApplyError.system("cannot move the new \(resolved.relative) into place")
        }
        done = true
        guard fsync(resolved.parent) == 0 else { throw ApplyError.system("fsync of the folder of \(resolved.relative) failed") }
        return resolved.createdFolders
    }

    /// Removes a file (a symlink itself, never its target) and fsyncs its folder; a missing file is fine.
    public func remove(_ path: String) throws(ApplyError) {
        guard let resolved = try resolve(path, createFolders: false, followFinalSymlink: false) else { return }
        var info = stat()
        if fstatat(resolved.parent, resolved.name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFDIR {
            throw ApplyError(.ioError, "\(resolved.relative) is a folder; 'delete' removes files only")
        }
        guard unlinkat(resolved.parent, resolved.name, 0) == 0 || errno == ENOENT else {
            throw ApplyError.system("cannot delete \(resolved.relative)")
        }
        guard fsync(resolved.parent) == 0 else { throw ApplyError.system("fsync of the folder of \(resolved.relative) failed") }
    }

    /// Sets a file's permission bits (through an `O_NOFOLLOW` descriptor, never a symlink's target outside).
    ///
    /// Only the bits of `0o777` are set (never setuid, setgid or sticky). A file with more hard links than
    /// its own name and `ownLinks` (links GhostRunner made itself, such as a transaction's backup) is refused
    /// with ``Reason/pathOutsideWorkspace``: its mode is shared by every name, one of which may lie outside.
    public func setMode(_ path: String, mode: UInt16, ownLinks: Int = 0) throws(ApplyError) {
        guard let resolved = try resolve(path, createFolders: false) else { throw ApplyError(.fileNotFound, "\(path) does not exist") }
        guard let (fd, info) = try openRegular(resolved, path: path) else { throw ApplyError(.fileNotFound, "\(path) does not exist") }
        defer { close(fd) }
        let links = Int(info.st_nlink)
        guard links <= 1 + ownLinks else {
            throw outside(path, "it has \(links - ownLinks) hard links; refusing to change its mode in place")
        }
        guard fchmod(fd, mode_t(mode & Self.permissionBits)) == 0 else { throw ApplyError.system("cannot set the mode of \(resolved.relative)") }
        guard fsync(fd) == 0 else { throw ApplyError.system("fsync of \(resolved.relative) failed") }
    }

    /// The permission bits GhostRunner ever sets: no setuid, setgid or sticky bit.
    static let permissionBits: UInt16 = 0o777

    /// Opens the final component of `resolved` for reading, only if it is a regular file: a FIFO, socket or
    /// device fails at once with ``Reason/ioError`` (checked before the open, and again on the descriptor,
    /// which is opened `O_NONBLOCK` so that a FIFO swapped in meanwhile cannot block).
    /// - Returns: The descriptor and its status, `nil` when the file does not exist.
    func openRegular(_ resolved: ResolvedPath, name: String? = nil, path: String) throws(ApplyError) -> (Int32, stat)? {
        let name = name ?? resolved.name
        var info = stat()
        if fstatat(resolved.parent, name, &info, AT_SYMLINK_NOFOLLOW) != 0 {
            if errno == ENOENT { return nil }
            throw ApplyError.system("cannot inspect \(resolved.relative)")
        }
        try Self.requireRegular(info, resolved.relative)
        let fd = openat(resolved.parent, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            if errno == ELOOP { throw outside(path, "it changed into a symlink while it was opened") }
            throw ApplyError.system("cannot open \(resolved.relative)")
        }
        guard fstat(fd, &info) == 0 else {
            let error = ApplyError.system("cannot inspect \(resolved.relative)")
            close(fd)
            throw error
        }
        do {
            try Self.requireRegular(info, resolved.relative)
        } catch {
            close(fd)
            throw error
        }
        return (fd, info)
    }

    private static func requireRegular(_ info: stat, _ relative: String) throws(ApplyError) {
        let kind: String
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFIFO: kind = "a FIFO"
        case S_IFSOCK: kind = "a socket"
        case S_IFCHR, S_IFBLK: kind = "a device"
        case S_IFDIR: kind = "a folder"
        case S_IFLNK: kind = "a symlink"
        default: kind = "not a regular file"
        }
        throw ApplyError(.ioError, "\(relative) is \(kind); only regular files are read or changed")
    }

    /// Removes folders this workspace created (innermost first) if they are empty; used by rollback.
    func removeEmptyFolders(_ folders: [String]) {
        for folder in folders.reversed() {
            guard let resolved = try? resolve(folder, createFolders: false, followFinalSymlink: false) else { continue }
            unlinkat(resolved.parent, resolved.name, AT_REMOVEDIR)
        }
    }

    /// Reads to end of file; one `read` of the expected size in the usual case.
    /// - Throws: ``Reason/limitExceeded`` once more than `limit` bytes have been read.
    static func readAll(_ fd: Int32, expected: Int, name: String, limit: Int = .max) throws(ApplyError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = expected + 1
        while true {
            var readError: Int32 = 0
            let piece = [UInt8](unsafeUninitializedCapacity: chunk) { raw, count in
                let result = Foundation.read(fd, raw.baseAddress, chunk)
                if result < 0 { readError = errno }
                count = max(result, 0)
            }
            if readError == EINTR { continue }
            guard readError == 0 else { throw ApplyError.system("cannot read \(name)", errno: readError) }
            if piece.isEmpty { return bytes }
            if bytes.isEmpty { bytes = piece } else { bytes.append(contentsOf: piece) }
            guard bytes.count <= limit else {
                throw ApplyError(.limitExceeded, "\(name) grew past \(limit) bytes while it was read; the file size limit is \(limit)")
            }
            chunk = 64 * 1024
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], name: String) throws(ApplyError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBufferPointer { buffer in
                Foundation.write(fd, buffer.baseAddress! + offset, min(bytes.count - offset, 1 << 30))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw ApplyError.system("cannot write \(name)")
            }
            offset += written
        }
    }
}
