import ApplierAPI
import Foundation

extension Workspace {
    /// The real absolute path of the folder `relative` names, for a shell step's `cwd`.
    ///
    /// Resolved as file paths are (``resolve(_:createFolders:followFinalSymlink:)``): a symlink on the way
    /// is followed only while it stays inside the workspace, so `out -> /tmp/elsewhere` is refused.
    /// `""` and `.` are the workspace itself.
    /// - Throws: ``Reason/pathOutsideWorkspace`` for a folder outside; ``Reason/ioError`` when it does not
    ///   exist or is not a folder.
    func shellFolder(_ relative: String) throws(ApplyError) -> String {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if parts.isEmpty && !relative.hasPrefix("/") { return realRoot }
        guard let resolved = try resolve(relative, createFolders: false, followFinalSymlink: true) else {
            throw ApplyError(.ioError, "shell 'cwd' \(relative) does not exist")
        }
        var info = stat()
        guard fstatat(resolved.parent, resolved.name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw ApplyError.system("shell 'cwd' \(relative) cannot be used")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw ApplyError(.ioError, "shell 'cwd' \(relative) is not a folder") }
        return (realRoot == "/" ? "" : realRoot) + "/" + resolved.relative
    }
}
