import ApplierAPI

/// What a ``Transaction`` needs to journal its intents: the queue's log and the patch it belongs to.
struct IntentContext: Sendable {
    /// The queue's intent log.
    let log: IntentLog
    /// The patch's queue sequence number.
    let sequence: UInt64
    /// The patch id.
    let id: String
    /// When the patch's intake journal record may still be on its way to disk: nothing visible may change in
    /// the workspace for it (no rename, no step) before the record is durable.
    var durability: Durability? = nil
    /// Where a commit's folder syncs go when they may wait for the queue's next checkpoint; `nil`: synced at once.
    var folderSyncs: DeferredFolderSyncs? = nil
    /// Checked right before anything visible changes (each commit's renames, each step): a shared-store queue
    /// checks there that no other host has taken it over (see ``WorkspaceMarker/checkFence(_:)``).
    var commitGuard: (@Sendable () throws(ApplyError) -> Void)? = nil

    /// Returns once the patch's intake record is durable (at once when it already is) and the commit guard
    /// lets it go on.
    /// - Throws: The journal's error: the patch was never acknowledged and must leave nothing behind.
    func awaitIntake() async throws(ApplyError) {
        try await durability?.wait()
        try commitGuard?()
    }

    /// The tag in staged and backup file names: the sequence, so names are known before they are written.
    var tag: String { String(sequence) }
}
