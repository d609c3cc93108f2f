public import ApplierAPI
public import Foundation

/// Bytes a transport received that should become a queued patch.
public struct Delivery: Sendable {
    /// Which transport brought the patch in; it is echoed in the receipt.
    public enum Source: String, Sendable {
        /// `POST /api/patches` or `POST /api/queues/{queue}/patches`.
        case http
        /// A file dropped into a queue's folder.
        case inbox
        /// A line of `ghost serve --stdin`.
        case stdin
    }

    /// The raw body, exactly as received.
    public var body: [UInt8]
    /// The queue it is for; `nil` means the default queue.
    public var queue: String?
    /// The transport.
    public var source: Source
    /// The inbox file the body was read from. The host removes it once the patch is queued, or moves it to
    /// `.failed/` with a receipt when it is not a patch, so nothing dropped is ever lost or taken twice.
    public var inboxFile: URL?
    /// When the transport received it.
    public var receivedAt: Date
    /// A problem the transport found before reading the body (a symlink, a file too large, not a regular
    /// file): the host records the delivery as failed with this error instead of parsing it.
    public var rejection: ApplyError?

    /// A delivery.
    public init(
        body: [UInt8],
        queue: String?,
        source: Source,
        inboxFile: URL? = nil,
        receivedAt: Date = Date(),
        rejection: ApplyError? = nil
    ) {
        self.rejection = rejection
        self.body = body
        self.queue = queue
        self.source = source
        self.inboxFile = inboxFile
        self.receivedAt = receivedAt
    }
}
