import ApplierAPI
import Synchronization

/// The outcome of one intake journal append, known once the writer thread has flushed it: durable, or
/// failed (and then never to be acknowledged). Any number of tasks may wait for it, before or after.
final class Durability: Sendable {
    private struct State {
        var outcome: Result<Void, ApplyError>?
        var waiting: [CheckedContinuation<Void, any Error>] = []
    }

    private let state = Mutex(State())

    /// Records the outcome and wakes everyone waiting for it.
    func resolve(_ outcome: Result<Void, ApplyError>) {
        let waiting = state.withLock { state in
            state.outcome = outcome
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume(with: outcome.mapError { $0 as any Error }) }
    }

    /// Returns once the append is durable.
    /// - Throws: The append's error when it failed.
    func wait() async throws(ApplyError) {
        // Already known: no suspension (a continuation resumed at once still costs the task a trip through
        // its executor's queue).
        if let known = state.withLock({ $0.outcome }) { return try known.get() }
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let known = state.withLock { state -> Result<Void, ApplyError>? in
                    if state.outcome == nil { state.waiting.append(continuation) }
                    return state.outcome
                }
                if let known { continuation.resume(with: known.mapError { $0 as any Error }) }
            }
        } catch {
            throw error as? ApplyError ?? ApplyError(.ioError, "\(error)")
        }
    }
}
