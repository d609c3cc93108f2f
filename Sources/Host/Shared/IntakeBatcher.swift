/// Groups a host's concurrent deliveries for one queue into one `ghost_enqueue` call: while a queue's call is
/// in flight, the deliveries that arrive wait and go together in the next one.
///
/// A queue's intake is ordered by its counter row's lock, held until commit, so one call at a time per queue
/// is all the database would run anyway; batching turns one commit (and one WAL flush) per patch into one per
/// batch. Nobody is answered before the call that holds their patch has committed.
actor IntakeBatcher {
    private struct Waiting {
        var item: SharedStore.IntakeItem
        var continuation: CheckedContinuation<SharedStore.Enqueued, any Error>
    }

    let store: SharedStore
    /// The most patches, and body bytes, in one call.
    let maxItems: Int
    let maxBytes: Int
    private var waiting: [String: [Waiting]] = [:]
    private var draining: Set<String> = []

    init(store: SharedStore, maxItems: Int = 256, maxBytes: Int = 8 << 20) {
        self.store = store
        self.maxItems = maxItems
        self.maxBytes = maxBytes
    }

    /// Queues `item` in `queue`; returns once its row is committed (or what intake made of it).
    func enqueue(queue: String, _ item: SharedStore.IntakeItem) async throws -> SharedStore.Enqueued {
        try await withCheckedThrowingContinuation { continuation in
            waiting[queue, default: []].append(Waiting(item: item, continuation: continuation))
            if draining.insert(queue).inserted { Task { await drain(queue) } }
        }
    }

    /// Sends the queue's waiting deliveries, a batch at a time, until none wait.
    private func drain(_ queue: String) async {
        while let batch = takeBatch(queue) {
            do {
                let results = try await store.enqueue(queue: queue, batch.map(\.item))
                for (waiter, result) in zip(batch, results) { waiter.continuation.resume(returning: result) }
            } catch {
                for waiter in batch { waiter.continuation.resume(throwing: error) }
            }
        }
        draining.remove(queue)
    }

    private func takeBatch(_ queue: String) -> [Waiting]? {
        guard var pending = waiting[queue], !pending.isEmpty else { return nil }
        var count = 0
        var bytes = 0
        while count < pending.count, count < maxItems, count == 0 || bytes + pending[count].item.body.count <= maxBytes {
            bytes += pending[count].item.body.count
            count += 1
        }
        let batch = Array(pending[..<count])
        pending.removeFirst(count)
        waiting[queue] = pending
        return batch
    }
}
