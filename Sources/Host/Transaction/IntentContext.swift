/// What a ``Transaction`` needs to journal its intents: the queue's log and the patch it belongs to.
struct IntentContext: Sendable {
    /// The queue's intent log.
    let log: IntentLog
    /// The patch's queue sequence number.
    let sequence: UInt64
    /// The patch id.
    let id: String

    /// The tag in staged and backup file names: the sequence, so names are known before they are written.
    var tag: String { String(sequence) }
}
