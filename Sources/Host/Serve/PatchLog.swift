import ApplierAPI
import Logging
import Transport

/// The host's log lines about patches: one at `debug` when a patch is accepted, one at `info` when it is
/// applied or fails, each with the patch's id and queue in the metadata.
enum PatchLog {
    /// Logs a finished patch at `info`: `patch applied` (or `unchanged`, `failed`, `duplicate`) with `id`,
    /// `queue`, `role`, `status`, `reason` (when it failed), `duration_ms`, `source` and `attempt` (after the first).
    static func finished(_ receipt: Receipt, logger: Logger) {
        // Built only when it will be written: this runs for every patch.
        guard logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = [
            "id": "\(receipt.id ?? "-")",
            "queue": "\(receipt.queue ?? "-")",
            "role": "\(receipt.role ?? "-")",
            "status": "\(receipt.status.rawValue)",
            "duration_ms": "\(Double(Int(receipt.durationMs * 1000)) / 1000)",
            "source": "\(receipt.source.rawValue)",
        ]
        if let reason = receipt.reason { metadata["reason"] = "\(reason.rawValue)" }
        if receipt.status == .failed, let message = receipt.message { metadata["message"] = "\(message)" }
        if receipt.attempt > 1 { metadata["attempt"] = "\(receipt.attempt)" }
        logger.info("patch \(receipt.status.rawValue)", metadata: metadata)
    }

    /// Logs an accepted delivery at `debug`: `patch accepted` (queued, or a duplicate) with `id`, `queue`,
    /// `source` and `state`.
    static func accepted(_ acceptance: Acceptance, source: String, logger: Logger) {
        logger.debug(
            "patch accepted",
            metadata: [
                "id": "\(acceptance.patchID)", "queue": "\(acceptance.queue)", "source": "\(source)", "state": "\(acceptance.state.rawValue)",
            ]
        )
    }
}
