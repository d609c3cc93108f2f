public import ApplierAPI
public import Transport

/// Listing patches, and what an operator does to them and to queues (``PatchIntake``'s control calls).
extension GhostHost {
    /// The queue named `name`, or `unknown_queue`.
    func queue(named name: String) async throws(ApplyError) -> PatchQueue {
        guard let queue = await directory.queue(named: name) else {
            throw ApplyError(.unknownQueue, "no queue named '\(name)'; queues: \(config.queues.map(\.name).joined(separator: ", "))")
        }
        return queue
    }

    /// Queue names in the order an id is looked for: the default queue first.
    var lookupOrder: [String] { [config.defaultQueue] + config.queues.map(\.name).filter { $0 != config.defaultQueue } }

    /// The queue that knows `id` (the default queue first), or `not_found`. Asks the ledger and the
    /// history index only (no receipt is read), whatever the dedup window: an operator may retry or revert
    /// a patch older than it.
    func queue(holding id: String) async throws(ApplyError) -> PatchQueue {
        for name in lookupOrder {
            if let queue = await directory.queue(named: name), try await queue.knows(id: id) { return queue }
        }
        throw ApplyError(.notFound, "no patch with id '\(id)' in any queue")
    }

    /// Runs `work` on the queue called `name`; see ``retrying(find:work:)``.
    func onQueue<T>(named name: String, _ work: (PatchQueue) async throws(ApplyError) -> T) async throws(ApplyError) -> T {
        try await retrying(find: { () async throws(ApplyError) in try await queue(named: name) }, work: work)
    }

    /// Runs `work` on the queue that knows patch `id`; see ``retrying(find:work:)``.
    func onQueue<T>(holding id: String, _ work: (PatchQueue) async throws(ApplyError) -> T) async throws(ApplyError) -> T {
        try await retrying(find: { () async throws(ApplyError) in try await queue(holding: id) }, work: work)
    }

    /// Runs `work` on the queue `find` gives; when a configuration reload stopped that queue meanwhile (its
    /// answer is `unavailable`), once more on the queue that took its place, so a reload refuses nothing.
    private func retrying<T>(
        find: () async throws(ApplyError) -> PatchQueue,
        work: (PatchQueue) async throws(ApplyError) -> T
    ) async throws(ApplyError) -> T {
        let queue = try await find()
        do {
            return try await work(queue)
        } catch {
            guard error.reason == .unavailable, await queue.stopping else { throw error }
            let replacement = try await find()
            guard replacement !== queue else { throw error }
            return try await work(replacement)
        }
    }

    /// Runs the failed patch `id` again as its next attempt.
    public func retry(id: String) async throws(ApplyError) -> Acceptance {
        try await onQueue(holding: id) { queue throws(ApplyError) in try await queue.retry(id: id)
        }
    }

    /// Queues the revert of the applied patch `id` (`revert-<id>`, in the same queue).
    public func revert(id: String) async throws(ApplyError) -> Acceptance {
        try await onQueue(holding: id) { queue throws(ApplyError) in
            try await queue.revert(id: id)
        }
    }

    /// Cancels the queued patch `id`; returns its receipt.
    public func cancel(id: String) async throws(ApplyError) -> JSONValue {
        try await onQueue(holding: id) { queue throws(ApplyError) in
            try await queue.cancel(id: id).json
        }
    }

    /// Every role this host applies.
    public func roles() async throws(ApplyError) -> [RoleDescriptor] { runner.registry.descriptors }

    /// Pauses or resumes `queue`; returns its status.
    public func setPaused(_ paused: Bool, queue name: String) async throws(ApplyError) -> JSONValue {
        try await onQueue(named: name) { queue throws(ApplyError) in
            try await queue.setPaused(paused)
            var status = await queue.status().objectValue ?? [:]
            status["name"] = .string(name)
            return .object(status)
        }
    }

    /// A page of patches, newest first, over one queue or all of them (see ``PatchListing``).
    public func list(_ query: PatchQuery) async throws(ApplyError) -> JSONValue {
        if let name = query.queue { _ = try await queue(named: name) }
        let names = query.queue.map { [$0] } ?? config.queues.map(\.name)
        var listing = try PatchListing(query, queues: names)
        for name in names {
            guard let queue = await directory.queue(named: name), let filter = listing.filter(for: name) else { continue }
            if query.cursor == nil { await queue.recordFinishedSoFar() }
            if listing.includesUnfinished { listing.add(unfinished: await queue.unfinishedSummaries(limit: query.limit), from: name) }
            listing.add(try await queue.history(filter), from: name)
        }
        return listing.page()
    }
}
