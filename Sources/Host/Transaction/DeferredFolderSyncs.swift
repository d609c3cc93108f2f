import ApplierAPI
import Foundation
import Synchronization

/// Workspace folders whose renames are not durable yet: a queue's executor collects them from each
/// patch's commit and syncs them all at its next checkpoint, together with the receipts filed since.
///
/// Deferring the folder sync is safe because the patch's intent record (durable before the rename) stays
/// in the intent log until that checkpoint: a crash that loses the rename is rolled forward from the
/// staged file at the next start. The checkpoint, not the filing, is what makes an outcome durable; an
/// HTTP `?wait` answer is sent after it.
final class DeferredFolderSyncs: Sendable {
    private let paths = Mutex<[String]>([])

    /// Notes that the folder holding `path` (relative to the workspace) has a rename to make durable.
    func add(_ path: String) {
        paths.withLock { paths in
            if !paths.contains(path) { paths.append(path) }
        }
    }

    /// Fsyncs the folder of every path noted since the last call, except those on `syncedDevice` (a file
    /// system that was just synced whole).
    /// - Returns: False when a folder could not be synced; its renames are not trusted to be on disk.
    func sync(in workspace: Workspace, skipping syncedDevice: dev_t?) -> Bool {
        let pending = paths.withLock { paths in
            defer { paths = [] }
            return paths
        }
        var synced: Set<String> = []
        var allSynced = true
        for path in pending {
            let folder = path.split(separator: "/").dropLast().joined(separator: "/")
            guard synced.insert(folder).inserted else { continue }
            do throws(ApplyError) {
                try workspace.syncFolder(of: path, unlessOn: syncedDevice)
            } catch {
                allSynced = false
            }
        }
        return allSynced
    }
}
