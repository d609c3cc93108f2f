import ApplierAPI
import Foundation

/// The steps of a journaled write, each on its own so the intent log can be written between them:
/// stage the new bytes beside the file, keep a hard link to the old file, rename into place, sync the
/// folder. Staged and backup names are `.<name>.ghost-<tag>.new` / `.orig`, in the file's own folder,
/// so a rename never crosses a file system and recovery finds them from the record alone.
extension Workspace {
    /// The name of a staged file or backup for `name`.
    static func sideName(_ name: String, tag: String, backup: Bool) -> String {
        ".\(sideStem(name)).ghost-\(tag).\(backup ? "orig" : "new")"
    }

    /// The file's name as side names begin with it: the name itself up to 100 bytes; a longer one is cut
    /// and given a hash of the whole, so that two long names sharing their first 100 bytes never share a
    /// staged or backup file (names of 100 bytes or less are as they always were, for recovery).
    static func sideStem(_ name: String) -> String {
        guard name.utf8.count > 100 else { return name }
        return String(decoding: name.utf8.prefix(80), as: UTF8.self) + "~" + Digest.sha256(Array(name.utf8)).prefix(16)
    }

    /// Writes `bytes` with `mode` to a staged file beside `path` and fsyncs it; nothing replaces `path` yet.
    /// - Returns: The staged file's name and the folders created to hold it.
    /// Only the permission bits (`0o777`) of `mode` are used; folders created for a write that fails are removed.
    func writeStaged(_ path: String, bytes: [UInt8], mode: UInt16, tag: String) throws(ApplyError) -> (name: String, created: [String]) {
        let mode = mode & Self.permissionBits
        guard let resolved = try resolve(path, createFolders: true) else { throw ApplyError(.ioError, "cannot create the folders of \(path)") }
        let staged = Self.sideName(resolved.name, tag: tag, backup: false)
        unlinkat(resolved.parent, staged, 0)
        let fd = openat(resolved.parent, staged, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else {
            let error = ApplyError.system("cannot create a staged file beside \(resolved.relative)")
            removeEmptyFolders(resolved.createdFolders)
            throw error
        }
        do throws(ApplyError) {
            defer { close(fd) }
            try Self.writeAll(fd, bytes, name: resolved.relative)
            guard fchmod(fd, mode_t(mode)) == 0 else { throw ApplyError.system("cannot set the mode of \(resolved.relative)") }
            // An fsync error means the data may not be on disk: never trusted, never retried.
            guard fsync(fd) == 0 else { throw ApplyError.system("fsync of \(resolved.relative) failed") }
        } catch {
            unlinkat(resolved.parent, staged, 0)
            removeEmptyFolders(resolved.createdFolders)
            throw error
        }
        return (staged, resolved.createdFolders)
    }

    /// Hard-links the current file to a backup name beside it, so a crash after the file is replaced can
    /// still be undone. Durable with the folder sync that follows the rename.
    /// - Returns: The backup's name, `nil` when there is no file to keep.
    func linkBackup(_ path: String, tag: String) throws(ApplyError) -> String? {
        guard let resolved = try resolve(path, createFolders: false) else { return nil }
        let backup = Self.sideName(resolved.name, tag: tag, backup: true)
        unlinkat(resolved.parent, backup, 0)
        guard linkat(resolved.parent, resolved.name, resolved.parent, backup, 0) == 0 else {
            if errno == ENOENT { return nil }
            throw ApplyError.system("cannot keep a backup of \(resolved.relative)")
        }
        return backup
    }

    /// Renames a side file (staged or backup) over `path`. The folder is synced by ``syncFolder(of:)``.
    /// - Parameter holdingReplaced: Keep the file being replaced open, to be closed after the patch: the
    ///   rename then only drops a name, and the old file's blocks are freed at the close, off the patch's
    ///   path (on ext4 without a journal, freeing them inside the rename costs more than the rest of it).
    /// - Returns: The descriptor of the replaced file when it was held, else `nil`.
    @discardableResult
    func install(_ sideName: String, at path: String, holdingReplaced: Bool = false) throws(ApplyError) -> Int32? {
        guard let resolved = try resolve(path, createFolders: false) else { throw ApplyError(.ioError, "the folder of \(path) is gone") }
        let held = holdingReplaced ? openat(resolved.parent, resolved.name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK) : -1
        guard renameat(resolved.parent, sideName, resolved.parent, resolved.name) == 0 else {
            let code = errno
            if held >= 0 { close(held) }
            throw ApplyError.system("cannot move the new \(resolved.relative) into place", errno: code)
        }
        return held >= 0 ? held : nil
    }

    /// Fsyncs the folder that holds `path`, making renames, links and removals in it durable; a folder on
    /// `syncedDevice` (a file system just synced whole) is left alone.
    func syncFolder(of path: String, unlessOn syncedDevice: dev_t? = nil) throws(ApplyError) {
        guard let resolved = try resolve(path, createFolders: false, followFinalSymlink: false) else { return }
        if let syncedDevice {
            var info = stat()
            if fstat(resolved.parent, &info) == 0 && info.st_dev == syncedDevice { return }
        }
        guard fsync(resolved.parent) == 0 else { throw ApplyError.system("fsync of the folder of \(resolved.relative) failed") }
    }

    /// Removes a side file beside `path`, if it is there.
    func removeSide(_ sideName: String, of path: String) {
        guard let resolved = try? resolve(path, createFolders: false, followFinalSymlink: false) else { return }
        unlinkat(resolved.parent, sideName, 0)
    }

    /// Removes every GhostRunner temp file beside `path` (`.<name>.ghost-*`) that a crash left behind.
    func removeLeftovers(of path: String) {
        guard let resolved = try? resolve(path, createFolders: false, followFinalSymlink: false) else { return }
        let folder = openat(resolved.parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0, let stream = fdopendir(folder) else { return }
        defer { closedir(stream) }
        let prefix = ".\(Self.sideStem(resolved.name)).ghost-"
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(prefix) { names.append(name) }
        }
        for name in names { unlinkat(resolved.parent, name, 0) }
    }

    /// The state of a file beside `path` (or `path` itself when `sideName` is `nil`): its hash and mode,
    /// `nil` when it does not exist.
    func state(of path: String, sideName: String? = nil) throws(ApplyError) -> IntentRecord.FileState? {
        guard let resolved = try resolve(path, createFolders: false) else { return nil }
        guard let (fd, info) = try openRegular(resolved, name: sideName, path: path) else { return nil }
        defer { close(fd) }
        let bytes = try Self.readAll(fd, expected: Int(info.st_size), name: resolved.relative)
        return IntentRecord.FileState(sha256: Digest.sha256(bytes), mode: UInt16(info.st_mode & 0o7777))
    }
}
