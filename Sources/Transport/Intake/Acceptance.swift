public import ApplierAPI

/// What the host did with a delivery it took: the acknowledgement a transport passes on.
public struct Acceptance: Sendable {
    /// How the delivery was taken.
    public enum State: String, Sendable {
        /// Durably queued (file and folder fsynced); it will be applied exactly once.
        case queued
        /// The same id with the same content was taken before; it is not applied again.
        case duplicate
    }

    /// The patch id.
    public var patchID: String
    /// The queue that holds it.
    public var queue: String
    /// Queued or duplicate.
    public var state: State
    /// Where the patch file is now (the queue's pending file, or for a duplicate the first one's file).
    public var filepath: String
    /// For a duplicate whose first delivery has finished: that first receipt.
    public var receipt: JSONValue?
    /// Which run of the id this is (above 1 for a retry, or a failed patch sent again).
    public var attempt: Int
    /// Words for people when the answer is not the usual one (a new attempt, a hint to retry).
    public var note: String?

    /// An acceptance.
    public init(
        patchID: String,
        queue: String,
        state: State,
        filepath: String,
        receipt: JSONValue? = nil,
        attempt: Int = 1,
        note: String? = nil
    ) {
        self.attempt = attempt
        self.note = note
        self.patchID = patchID
        self.queue = queue
        self.state = state
        self.filepath = filepath
        self.receipt = receipt
    }
}
