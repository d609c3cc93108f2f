public import ApplierAPI

/// What transports need from the host: one path into the durable queues, and read access to results.
///
/// Transports turn bytes into ``Delivery`` values and never touch the spool themselves, so every transport
/// gets the same durability, ledger and error rules.
public protocol PatchIntake: Sendable {
    /// Queues a delivery durably, or says why not.
    ///
    /// Errors carry a stable ``Reason``: `invalid_json`, `invalid_patch`, `limit_exceeded`, `unknown_queue`,
    /// `id_conflict`, `unavailable` or `io_error`. For an inbox delivery the host has already moved the file
    /// to `.failed/` with a receipt when it throws.
    func submit(_ delivery: Delivery) async throws(ApplyError) -> Acceptance

    /// The receipt of a patch once it has finished, waiting at most `timeout`; `nil` when it is still queued.
    func waitForReceipt(id: String, queue: String, timeout: Duration) async -> JSONValue?

    /// The receipt of a finished patch, or its state (`queued`, `applying`) while it is not finished;
    /// `nil` for an id no queue knows.
    func lookup(id: String) async -> JSONValue?

    /// Queues, depths, recent results and component health, for `ghost status`.
    func status() async -> JSONValue

    /// The Prometheus text exposition of the host's metrics.
    func metricsText() async -> [UInt8]

    /// A page of patches, newest first: `{"patches": [summary...], "next_cursor": ...}`.
    func list(_ query: PatchQuery) async throws(ApplyError) -> JSONValue

    /// Runs the failed patch `id` again as its next attempt (`conflict` when its latest attempt did not fail).
    func retry(id: String) async throws(ApplyError) -> Acceptance

    /// Queues the revert of the applied patch `id`, itself a patch (`revert-<id>`) with a receipt; `conflict`
    /// when a file it changed has changed since, and a refusal saying why when it cannot be undone exactly.
    func revert(id: String) async throws(ApplyError) -> Acceptance

    /// Takes the queued patch `id` out of its queue and files it failed with reason `cancelled`; returns its
    /// receipt (`conflict` once it is being applied or has finished).
    func cancel(id: String) async throws(ApplyError) -> JSONValue

    /// Pauses (or resumes) a queue: a paused queue takes patches but applies none, across restarts.
    /// Returns the queue's state.
    func setPaused(_ paused: Bool, queue: String) async throws(ApplyError) -> JSONValue

    /// Every role this host applies (built-in and configured), for ``PatchSchema``.
    func roles() async throws(ApplyError) -> [RoleDescriptor]
}

extension PatchIntake {
    /// Not offered by this intake.
    public func list(_ query: PatchQuery) async throws(ApplyError) -> JSONValue { throw Self.notOffered }
    /// Not offered by this intake.
    public func retry(id: String) async throws(ApplyError) -> Acceptance { throw Self.notOffered }
    /// Not offered by this intake.
    public func revert(id: String) async throws(ApplyError) -> Acceptance { throw Self.notOffered }
    /// Not offered by this intake.
    public func cancel(id: String) async throws(ApplyError) -> JSONValue { throw Self.notOffered }
    /// Not offered by this intake.
    public func setPaused(_ paused: Bool, queue: String) async throws(ApplyError) -> JSONValue { throw Self.notOffered }
    /// Not offered by this intake.
    public func roles() async throws(ApplyError) -> [RoleDescriptor] { throw Self.notOffered }

    private static var notOffered: ApplyError { ApplyError(.unavailable, "this host does not offer that") }
}
