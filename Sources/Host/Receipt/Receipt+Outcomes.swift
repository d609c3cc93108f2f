public import ApplierAPI
public import Foundation

/// Every receipt that is not built by running a patch: one place for each kind, so a duplicate or a refusal
/// reads the same whichever transport brought it and whichever path filed it.
extension Receipt {
    /// The receipt for input that is not a patch: the id and role are reported when they can be read.
    public static func rejected(document: JSONValue?, error: any Error, options: RunOptions, receivedAt: Date = Date()) -> Receipt {
        let id = (document?["id"] ?? document?["blockId"])?.stringValue
        var receipt = Receipt(
            id: id,
            role: document?["role"]?.stringValue,
            queue: options.queue,
            source: options.source,
            status: .failed,
            receivedAt: receivedAt
        )
        receipt.fail(with: error, defaultReason: .invalidPatch)
        receipt.finishedAt = Date()
        return receipt
    }

    /// The receipt of a delivery refused before it was queued (an inbox file moved to `.failed/`). Its hash
    /// says what was sent; its id stays free, since a corrected patch under it is a new patch.
    static func refused(document: JSONValue?, error: ApplyError, options: RunOptions, receivedAt: Date) -> Receipt {
        var receipt = rejected(document: document, error: error, options: options, receivedAt: receivedAt)
        if let document, error.reason != .idConflict { receipt.contentSHA256 = Digest.sha256(document.serializedBytes) }
        receipt.refused = true
        return receipt
    }

    /// The receipt of a second delivery of a patch already taken (same id, same content): nothing is
    /// applied again; `first` names where the first delivery is.
    static func duplicate(of patch: Patch, queue: String, source: Source, first: String) -> Receipt {
        var receipt = Receipt(id: patch.id, role: patch.roleLabel, queue: queue, source: source, status: .duplicate, receivedAt: Date())
        receipt.message = "same id and content as \(first); not applied again"
        receipt.finishedAt = Date()
        return receipt
    }

    /// The receipt of a patch that recovery, not a run, finished or failed after the host stopped.
    static func recovered(_ outcome: IntentRecovery.Outcome, for patch: Patch, options: RunOptions, receivedAt: Date) -> Receipt {
        var receipt = Receipt(for: patch, options: options, receivedAt: receivedAt)
        receipt.extra["recovered"] = true
        switch outcome {
        case .unchanged(let files):
            receipt.status = .unchanged
            receipt.files = files
            receipt.message = "the host stopped after this patch's batch was committed; recovery finished it"
        case .applied(let files):
            receipt.files = files
            receipt.message = "the host stopped after this patch was committed; recovery finished it (its diff and step output are not kept)"
        case .failed(let reason, let message):
            receipt.status = .failed
            receipt.reason = reason
            receipt.message = message
        case .requeue:
            break
        }
        receipt.finishedAt = Date()
        return receipt
    }

    /// The receipt of a queued patch taken out of its queue by `ghost cancel`: failed, reason `cancelled`,
    /// nothing of it ran.
    static func cancelled(_ patch: Patch?, id: String, options: RunOptions, receivedAt: Date) -> Receipt {
        var receipt = Receipt(id: id, role: patch?.roleLabel, queue: options.queue, source: options.source, status: .failed, receivedAt: receivedAt)
        if let patch { receipt.extra = patch.extraFields }
        receipt.reason = .cancelled
        receipt.message = "cancelled while queued; nothing of it ran"
        receipt.finishedAt = Date()
        return receipt
    }

    /// Whether this is a failed attempt of which nothing took effect: no step ran, every file it touched
    /// was restored, and neither a crash nor a death of the host was involved. Sending such a patch again
    /// runs it again; any other failed patch needs `ghost retry`.
    var changedNothing: Bool {
        guard status == .failed, !refused, steps.isEmpty, extra["recovered"] == nil else { return false }
        guard reason != .crashedHost, reason != .interrupted else { return false }
        return !(message?.contains("ROLLBACK INCOMPLETE") ?? false)
    }

    /// Marks the receipt failed with `error`'s reason and message (an error that is not an ``ApplyError``
    /// gets `defaultReason` and its description).
    mutating func fail(with error: any Error, defaultReason: Reason = .ioError) {
        let failure = error as? ApplyError ?? ApplyError(defaultReason, "\(error)")
        status = .failed
        reason = failure.reason
        message = failure.message
    }
}
