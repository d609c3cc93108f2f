public import ApplierAPI
import Logging
import PostgresNIO

/// What an operator does to the fleet straight on the shared store, without a host (`ghost queue move`).
public enum SharedFleet {
    /// Moves `queue` to the host `target`: a new fence, so the old owner's next commit is refused and the
    /// target takes it at its next lease round. Returns the new fence.
    /// - Throws: `conflict` when `target` does not reach the queue's workspace, `unavailable` when the
    ///   database cannot be reached, `invalid_patch` when the configuration names no shared store.
    public static func move(queue: String, to target: String, config: GhostConfig) async throws(ApplyError) -> Int64 {
        guard let settings = config.store, let url = PostgresURL(settings.url) else {
            throw ApplyError(.invalidPatch, "the configuration names no shared store (store: {postgres: {url_env: ...}})")
        }
        let store = SharedStore(url: url, node: config.nodeName, lease: settings.lease, logger: Logger(label: "ghost.queue-move"))
        let pool = Task { await store.run() }
        defer { pool.cancel() }
        return try await store.move(queue: queue, to: target, lease: settings.lease)
    }
}
