import ApplierAPI
import Foundation
import Logging
import NIOPosix

/// Files finished patches: each with its receipt into `.completed/` or `.failed/`, and inbox files that were
/// refused or duplicates. Works off the queue's actor; what it filed goes to the history at the next
/// checkpoint (see ``Checkpointer``).
struct QueueFiler: Sendable {
    let queue: String
    let spool: Spool
    let io: NIOThreadPool
    let metrics: HostMetrics
    let logger: Logger

    /// Where the before-images of applied patches go.
    var beforeImages: BeforeImageStore { BeforeImageStore(internalFolder: spool.internalFolder) }

    /// A receipt as filed: typed, and where it was placed (`nil` when it could not be).
    struct Filed: Sendable {
        var receipt: Receipt
        var url: URL?
    }

    /// Writes a finished patch and its receipt into `.completed/` or `.failed/` (not synced: the next
    /// checkpoint syncs every receipt filed since the last one at once).
    func file(_ prepared: PreparedPatch, _ finished: Receipt) async -> Filed {
        let pending = prepared.pending
        var receipt = finished
        receipt.contentSHA256 = pending.contentHash
        receipt.attempt = pending.attempt
        if receipt.status == .applied, let images = receipt.beforeImages {
            // Before the receipt: the checkpoint that makes the receipt durable makes these durable too.
            do throws(ApplyError) {
                try beforeImages.write(images, id: pending.id, attempt: pending.attempt)
            } catch {
                logger.error("cannot keep the patch's before-images; it cannot be reverted", metadata: ["id": "\(pending.id)", "error": "\(error)"])
            }
        }
        metrics.finished(
            queue: queue,
            role: receipt.role ?? "unknown",
            failedWith: receipt.status == .failed ? (receipt.reason?.rawValue ?? "unknown") : nil,
            duration: .microseconds(Int64((receipt.durationMs * 1000).rounded()))
        )
        // Here, on the executor's thread, not on the queue's actor, which intake needs.
        PatchLog.finished(receipt, logger: logger)
        let outcome: Spool.Outcome = receipt.status == .failed ? .failed : .completed
        let receiptBytes = Self.bytes(receipt)
        let body = prepared.body
        do {
            let placed: (patch: URL, receipt: URL)
            do throws(ApplyError) {
                let copied = try? await prepared.copies?.value
                let receiptTemp: URL
                if let reserved = copied?.receipt {
                    receiptTemp = try spool.fill(reserved, with: receiptBytes, label: pending.name)
                } else {
                    receiptTemp = try spool.writeTemporary(receiptBytes, label: pending.name, name: "\(pending.sequence).receipt", sync: false)
                }
                placed = try spool.place(
                    copied.map { .temporary($0.patch) } ?? .bytes(body),
                    receiptTemp: receiptTemp,
                    name: pending.name,
                    into: outcome,
                    durable: false
                )
            } catch {
                // Once more from scratch, only when the queue's folders were moved away (never after an
                // fsync error, which is not retried).
                guard spool.foldersMissing else { throw error }
                placed = try spool.recreatingFolders { () throws(ApplyError) in
                    try spool.finish(.bytes(body), name: pending.name, receipt: receiptBytes, into: outcome)
                }
            }
            return Filed(receipt: receipt, url: placed.receipt)
        } catch {
            logger.critical("applied patch could not be filed", metadata: ["id": "\(pending.id)", "error": "\(error)"])
            return Filed(receipt: receipt, url: nil)
        }
    }

    /// Starts writing the copy of a patch for `.completed/` on the I/O threads, while it applies.
    func startCopy(_ prepared: inout PreparedPatch) {
        let spool = self.spool
        let bytes = prepared.body
        let io = self.io
        let pending = prepared.pending
        prepared.copies = Task {
            try await io.runIfActive {
                let patch = try spool.writeTemporary(bytes, label: pending.name, name: "\(pending.sequence).patch", sync: false)
                let receipt = try? spool.reserveTemporary(name: "\(pending.sequence).receipt", label: pending.name)
                return PreparedPatch.Copies(patch: patch, receipt: receipt)
            }
        }
    }

    /// Removes the copies of a patch that is not filed after all (its journal record never became durable).
    func discardCopies(of prepared: PreparedPatch) async {
        guard let copies = try? await prepared.copies?.value else { return }
        unlink(copies.patch.path)
        if let receipt = copies.receipt { spool.discard(receipt) }
    }

    /// Moves an inbox file that was not queued, with its receipt, into `.failed/` (refused) or `.completed/`
    /// (a duplicate), durably: it cannot stay in the inbox, and nothing else records it.
    func fileInbox(_ inboxFile: URL, name: String, receipt: Receipt) async throws(ApplyError) -> Filed {
        let spool = self.spool
        let bytes = Self.bytes(receipt)
        let outcome: Spool.Outcome = receipt.status == .failed ? .failed : .completed
        do {
            let placed = try await io.runIfActive {
                try spool.recreatingFolders { () throws(ApplyError) in
                    try spool.finish(.file(inboxFile), name: name, receipt: bytes, into: outcome)
                }
            }
            return Filed(receipt: receipt, url: placed.receipt)
        } catch {
            logger.error("cannot move an inbox file out of the inbox", metadata: ["file": "\(inboxFile.path)", "error": "\(error)"])
            throw (error as? ApplyError) ?? ApplyError(.ioError, "\(error)")
        }
    }

    /// A receipt as it is written to disk: its JSON and a newline.
    static func bytes(_ receipt: Receipt) -> [UInt8] {
        var bytes = receipt.json.serializedBytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
