import ApplierAPI

extension QueueConfig {
    /// The options a queued patch of this queue runs with (`limits`: the queue's, unless given).
    func runOptions(source: Receipt.Source, limits: PatchLimits? = nil) -> RunOptions {
        // 0 keeps none: nothing is captured, compressed or written for any patch.
        let beforeImageBytes = retention.beforeImageBytes > 0 ? retention.beforeImageBytes : nil
        return RunOptions(shellPolicy: shell, queue: name, source: source, limits: limits ?? self.limits, beforeImageBytes: beforeImageBytes)
    }
}
