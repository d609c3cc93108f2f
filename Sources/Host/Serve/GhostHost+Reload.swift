public import ApplierAPI
import Foundation
import Logging
import ServiceLifecycle
import Supervision

/// Reloading the configuration while the host runs (SIGHUP).
extension GhostHost {
    /// Reads the configuration again and applies what changed in its queues, or refuses the whole of it,
    /// saying why in the log; the host keeps running either way.
    ///
    /// - An added queue opens its spool, recovers it and starts its executor and inbox.
    /// - A removed queue stops taking patches at once (`unknown_queue`); its inbox and sweeper stop, and
    ///   its executor finishes the batch in hand and closes the spool. Patches it had accepted and not yet
    ///   run stay in the spool, and run when a queue on that folder is configured again.
    /// - A changed queue is stopped the same way and started again with its new settings; requests for it
    ///   meanwhile wait for the new one, so nothing it accepted is lost and nothing is refused.
    ///
    /// Settings the host set up once at start (see ``ConfigReload``) cannot change this way; a file that
    /// does not parse, or a queue whose workspace is missing, is refused before anything stops.
    /// - Returns: What was done, as logged; an error when the reload was refused.
    @discardableResult
    public func reload() async -> Result<String, ApplyError> {
        let result = await applyReload()
        switch result {
        case .success(let summary): logger.info("SIGHUP: configuration reloaded: \(summary)")
        case .failure(let error): logger.error("SIGHUP: configuration not reloaded, the host keeps the one it runs: \(error.message)")
        }
        return result
    }

    private func applyReload() async -> Result<String, ApplyError> {
        guard let reloader else { return .failure(ApplyError(.unavailable, "this host cannot read its configuration again")) }
        guard !Task.isShuttingDownGracefully else { return .failure(ApplyError(.unavailable, "the host is shutting down")) }
        let old = config
        var new: GhostConfig
        do {
            new = try reloader()
        } catch {
            return .failure(ApplyError(.invalidPatch, "\(error)"))
        }
        new.origin = old.origin
        let plan = ConfigReload(from: old, to: new, currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        guard plan.refusals.isEmpty else {
            return .failure(
                ApplyError(
                    .invalidPatch,
                    "these settings changed and apply only at start: \(plan.refusals.joined(separator: ", ")); restart ghost serve"
                )
            )
        }
        do {
            for queue in plan.added + plan.changed { try queue.prepareWorkspace() }
        } catch {
            return .failure(ApplyError(.invalidPatch, error.description))
        }
        // Added queues are opened before anything stops, so a spool that cannot be opened refuses the reload whole.
        var opened: [PatchQueue] = []
        for queueConfig in plan.added {
            do {
                let queue = try Self.makeQueue(queueConfig, of: new, runner: runner, metrics: metrics, logger: logger, io: io)
                try await queue.recover()
                opened.append(queue)
            } catch {
                for queue in opened { await queue.close() }
                return .failure(error)
            }
        }
        directory.config = new
        for name in plan.removed {
            directory.set(name, nil)
            for component in await fleet.stop(name) { await health.remove(component) }
        }
        for queue in opened {
            directory.set(queue.name, .ready(queue))
            await fleet.start(components(of: queue))
        }
        for queueConfig in plan.changed {
            // Requests wait on the slot from before the old queue begins to stop, so none can find it stopped.
            let (go, start) = AsyncStream.makeStream(of: Void.self)
            let restarting = Task {
                for await _ in go {}
                return await restarted(queueConfig, of: new, previous: old)
            }
            directory.set(queueConfig.name, .restarting(restarting))
            start.finish()
            let queue = await restarting.value
            directory.set(queueConfig.name, queue.map { QueueDirectory.Slot.ready($0) })
        }
        return .success(plan.summary)
    }

    /// Stops the running queue and starts it with `queueConfig`; if that fails, starts it again with its old
    /// settings (guarding the paths of the new configuration's queues, which may include new ones).
    private func restarted(_ queueConfig: QueueConfig, of new: GhostConfig, previous old: GhostConfig) async -> PatchQueue? {
        _ = await fleet.stop(queueConfig.name)
        var failure = ""
        for settings in [queueConfig, old.queue(named: queueConfig.name)] {
            guard let settings else { continue }
            do {
                let queue = try Self.makeQueue(settings, of: new, runner: runner, metrics: metrics, logger: logger, io: io)
                try await queue.recover()
                await fleet.start(components(of: queue))
                return queue
            } catch {
                logger.error("SIGHUP: queue \(queueConfig.name) cannot start: \(error.message)")
                failure = error.message
            }
        }
        // Neither way: the queue is down until the next reload or restart, and the health board says so.
        await health.set("executor:\(queueConfig.name)", .degraded, error: "the queue could not start after a reload: \(failure)")
        return nil
    }
}
