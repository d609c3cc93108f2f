public import ApplierAPI
import Foundation

/// What `ghost index` does on a stopped host's queues.
public enum HistoryMaintenance {
    /// Rebuilds the history index of each queue (or only `queue`) from its receipt files and archives.
    /// Fails for a queue a running host holds. Returns, per queue, how many patches the new index has.
    public static func rebuild(_ config: GhostConfig, queue: String? = nil) throws(ApplyError) -> [(queue: String, patches: Int)] {
        let queues = config.queues.filter { queue == nil || $0.name == queue }
        guard !queues.isEmpty else {
            throw ApplyError(.unknownQueue, "no queue named '\(queue ?? "")'; queues: \(config.queues.map(\.name).joined(separator: ", "))")
        }
        var result: [(queue: String, patches: Int)] = []
        for queueConfig in queues {
            let spool = Spool(directory: queueConfig.directory)
            do {
                try FileManager.default.createDirectory(at: spool.internalFolder, withIntermediateDirectories: true)
            } catch {
                throw ApplyError(.ioError, "cannot create \(spool.internalFolder.path): \(error.localizedDescription)")
            }
            // The lock first: preparing removes temp files, which belong to a running host's writes.
            let lock = try SpoolLock(internalFolder: spool.internalFolder, purpose: "stop the host before rebuilding its index")
            try spool.prepare()
            let url = HistoryIndex.location(in: spool.internalFolder)
            for suffix in ["", "-wal", "-shm"] { unlink(url.path + suffix) }
            let index = try HistoryIndex(url: url)
            let count = try HistoryRebuild.rebuild(index, from: spool)
            try index.markComplete()
            index.close()
            withExtendedLifetime(lock) {}
            result.append((queueConfig.name, count))
        }
        return result
    }
}
