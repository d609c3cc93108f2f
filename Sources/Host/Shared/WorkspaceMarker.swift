import ApplierAPI
import Foundation

/// A queue's state on the storage of its workspace, in `WORKSPACE/.ghost-owner/QUEUE/` (patches may not
/// write there): what makes a shared-store queue exactly once across crashes and takeovers.
///
/// - `workspace-id`: names the workspace; a host may own the queue only where it reads the id the database
///   has (the same folder, on shared storage).
/// - `fence`: the fence of the owner that last took the queue; checked right before every workspace commit,
///   so an old owner that wakes up after a takeover writes nothing.
/// - `applied`: the last sequence applied to the workspace and its receipt, written before the database
///   commit: a patch the database does not show as applied yet is not applied again (its receipt is filed
///   from here).
/// - `intent.log`: the transaction's intent records (``IntentLog``), recovered by whichever host owns next.
struct WorkspaceMarker: Sendable {
    /// The folder.
    let folder: URL

    /// The marker of `queue` in `workspace`.
    init(workspace: URL, queue: String) {
        folder = workspace.appendingPathComponent(Self.folderName, isDirectory: true).appendingPathComponent(queue, isDirectory: true)
    }

    /// The folder in every workspace that holds the markers: reserved, no patch may name it.
    static let folderName = ".ghost-owner"

    /// The last patch applied to the workspace.
    struct Applied: Sendable, Equatable {
        var sequence: Int64
        var fence: Int64
        /// Its receipt's JSON.
        var receipt: [UInt8]
    }

    /// The intent log of the queue's transactions.
    var intentLog: IntentLog { IntentLog(url: folder.appendingPathComponent("intent.log", isDirectory: false)) }

    /// Creates the folder (durably) and returns the workspace's id, made up now when it has none.
    func prepare() throws(ApplyError) -> String {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ApplyError(.ioError, "cannot create \(folder.path): \(error.localizedDescription)")
        }
        try Spool.syncFolder(folder.deletingLastPathComponent())
        try intentLog.prepare()
        if let id = workspaceID() { return id }
        let id = UUID().uuidString.lowercased()
        try replace("workspace-id", with: Array(id.utf8))
        return id
    }

    /// The workspace's id, when the folder has one.
    func workspaceID() -> String? {
        guard let bytes = read("workspace-id") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// The fence of the owner that took the queue last (0 before any).
    func fence() -> Int64 {
        read("fence").flatMap { Int64(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
    }

    /// Records a new owner's fence, durably, before it applies anything.
    func takeFence(_ fence: Int64) throws(ApplyError) { try replace("fence", with: Array("\(fence)\n".utf8)) }

    /// Throws `unavailable` unless `fence` is still the workspace's: another host took the queue.
    func checkFence(_ fence: Int64) throws(ApplyError) {
        let current = self.fence()
        guard current == fence else {
            throw ApplyError(.unavailable, "another host took this queue (fence \(current), this host holds \(fence)): nothing is written")
        }
    }

    /// The last applied patch, if any.
    func applied() -> Applied? {
        guard let bytes = read("applied"), let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let fields = String(decoding: bytes[..<newline], as: UTF8.self).split(separator: " ")
        guard fields.count == 2, let sequence = Int64(fields[0]), let fence = Int64(fields[1]) else { return nil }
        return Applied(sequence: sequence, fence: fence, receipt: Array(bytes[(newline + 1)...]))
    }

    /// Records the patch just applied, durably (before the database hears of it).
    func markApplied(_ applied: Applied) throws(ApplyError) {
        try replace("applied", with: Array("\(applied.sequence) \(applied.fence)\n".utf8) + applied.receipt)
    }

    /// Forgets the applied marker (and the intent records): the queue is new in this database, so what the
    /// folder remembers belongs to another one.
    func forgetApplied() throws(ApplyError) {
        unlink(folder.appendingPathComponent("applied", isDirectory: false).path)
        intentLog.reset()
        try Spool.syncFolder(folder)
    }

    private func read(_ name: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name, isDirectory: false).path) else { return nil }
        return Array(data)
    }

    /// Writes `name` whole: a new file, fsynced, renamed over the old one, the folder fsynced.
    private func replace(_ name: String, with bytes: [UInt8]) throws(ApplyError) {
        let target = folder.appendingPathComponent(name, isDirectory: false)
        // Unique across hosts on shared storage (a container's pid is often 1).
        let temporary = folder.appendingPathComponent(".\(name).\(UUID().uuidString).tmp", isDirectory: false)
        unlink(temporary.path)
        try Spool.writeNewFile(bytes, at: temporary, label: "the queue marker \(name)")
        guard rename(temporary.path, target.path) == 0 else {
            unlink(temporary.path)
            throw ApplyError.system("cannot replace \(target.path)")
        }
        try Spool.syncFolder(folder)
    }
}
