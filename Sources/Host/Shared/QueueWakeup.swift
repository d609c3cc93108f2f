import Synchronization

/// Wakes a queue's executor: a notification from the database (or this host's own intake) is remembered
/// until the executor next waits, and many in a row wake it once (the throttle).
final class QueueWakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: (token: Int, continuation: CheckedContinuation<Void, Never>)?
        var nextToken = 0
        /// The newest wait that timed out or was cancelled before it was stored.
        var expired = 0
    }

    private let state = Mutex(State())
    private let stopped = Atomic<Bool>(false)

    /// Whether the executor was told to stop (``stop()``).
    var isStopped: Bool { stopped.load(ordering: .acquiring) }

    /// Tells the executor to stop once the patch in hand is filed, and wakes it.
    func stop() {
        stopped.store(true, ordering: .releasing)
        signal()
    }

    /// Wakes the executor (or marks the next wait as already woken).
    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }

    /// Returns when signalled or after `timeout` (the polling fallback), whichever is first.
    func wait(timeout: Duration) async {
        let token = state.withLock { state -> Int? in
            if state.pending {
                state.pending = false
                return nil
            }
            state.nextToken += 1
            return state.nextToken
        }
        guard let token else { return }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.expire(token)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || state.expired >= token || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = (token, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.expire(token)
        }
        timer.cancel()
    }

    private func expire(_ token: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter, waiter.token == token else {
                state.expired = max(state.expired, token)
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }
}
