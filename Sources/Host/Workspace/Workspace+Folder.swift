public import ApplierAPI
import Foundation

extension Workspace {
    /// The real absolute path of a folder inside the workspace, for a step's working directory.
    ///
    /// The path goes through the same checks as a file's (``components(of:)``, symlinks followed only while
    /// they stay inside, the host's ``reserved`` paths refused); `""`, `"."`, `"./"` or the root itself name the root.
    /// The answer is a string: a caller that starts a process in it later should not give a patch the
    /// chance to swap a folder for a symlink in between.
    /// - Throws: ``Reason/pathOutsideWorkspace``, ``Reason/pathReserved``, ``Reason/fileNotFound`` when it does
    ///   not exist, ``Reason/ioError`` when it is not a folder.
    public func containedFolder(_ relative: String) throws(ApplyError) -> String {
        let namesRoot =
            relative.hasPrefix("/")
            ? ([root, realRoot] + aliases).contains(Self.normalize(relative))
            : !relative.split(separator: "/").contains { $0 != "." }
        if namesRoot {
            if isReserved("") { throw reservedError(relative, ".") }
            return realRoot
        }
        guard let resolved = try resolve(relative, createFolders: false) else {
            throw ApplyError(.fileNotFound, "folder \(relative) does not exist in the workspace")
        }
        var info = stat()
        guard fstatat(resolved.parent, resolved.name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { throw ApplyError(.fileNotFound, "folder \(relative) does not exist in the workspace") }
            throw ApplyError.system("cannot inspect \(resolved.relative)")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw ApplyError(.ioError, "\(resolved.relative) is not a folder") }
        return (realRoot == "/" ? "" : realRoot) + "/" + resolved.relative
    }
}
