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

    /// The last patches applied to the workspace together (one claim's batch, or one patch).
    struct Applied: Sendable, Equatable {
        /// The last of them.
        var sequence: Int64
        var fence: Int64
        /// Each one's receipt (its JSON), by sequence.
        var receipts: [Int64: [UInt8]]

        /// One patch's.
        init(sequence: Int64, fence: Int64, receipt: [UInt8]) {
            self.init(sequence: sequence, fence: fence, receipts: [sequence: receipt])
        }

        /// A batch's.
        init(sequence: Int64, fence: Int64, receipts: [Int64: [UInt8]]) {
            self.sequence = sequence
            self.fence = fence
            self.receipts = receipts
        }
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

    /// The last applied patches, if any. The file is `LAST FENCE\n`, then per patch `SEQ BYTES\n` and its
    /// receipt's bytes.
    func applied() -> Applied? {
        guard let bytes = read("applied") else { return nil }
        var rest = bytes[...]
        func line() -> [Substring]? {
            guard let newline = rest.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            defer { rest = rest[(newline + 1)...] }
            return String(decoding: rest[..<newline], as: UTF8.self).split(separator: " ")
        }
        guard let header = line(), header.count == 2, let last = Int64(header[0]), let fence = Int64(header[1]) else { return nil }
        var receipts: [Int64: [UInt8]] = [:]
        while !rest.isEmpty {
            guard let entry = line(), entry.count == 2, let sequence = Int64(entry[0]), let count = Int(entry[1]), count <= rest.count else {
                return nil
            }
            receipts[sequence] = Array(rest.prefix(count))
            rest = rest.dropFirst(count)
        }
        return Applied(sequence: last, fence: fence, receipts: receipts)
    }

    /// Records the patches just applied, durably (before the database hears of them).
    func markApplied(_ applied: Applied) throws(ApplyError) {
        var bytes = Array("\(applied.sequence) \(applied.fence)\n".utf8)
        for (sequence, receipt) in applied.receipts.sorted(by: { $0.key < $1.key }) {
            bytes += Array("\(sequence) \(receipt.count)\n".utf8) + receipt
        }
        try replace("applied", with: bytes)
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
