import ApplierAPI
import Foundation

/// A queued patch taken by the executor and read back from the journal: what the executor applies and the
/// filer files.
struct PreparedPatch: Sendable {
    /// The patch as the ledger holds it.
    var pending: PendingPatch
    /// Where its record is in the journal.
    var location: JournalLocation
    /// The body, exactly as received (copied into `.completed/` or `.failed/`).
    var body: [UInt8]
    /// The parsed patch; `nil` when it could not be read or parsed (see ``failure``).
    var patch: Patch?
    /// Why the patch could not be read or parsed.
    var failure: ApplyError?
    /// The copy for `.completed/` and the receipt's temp file, on their way to disk while the patch applies.
    var copies: Task<Copies, any Error>?

    /// What the I/O threads prepare for filing a patch while it applies: its copy, and the receipt's temp
    /// file, created and waiting for the receipt's bytes.
    struct Copies: Sendable {
        var patch: URL
        var receipt: Spool.ReservedFile?
    }
}
