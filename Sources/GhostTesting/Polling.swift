import Foundation

/// Polls `condition` until it holds or `seconds` pass, yielding its thread between polls.
public func eventually(_ seconds: Double = 10, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try condition()
}

/// Waits without holding a thread of the cooperative pool.
public func pause(_ seconds: Double) async {
    try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
}

/// Runs blocking work on a thread of its own, off the cooperative pool, and returns its result.
///
/// Blocking a thread of the pool (on a socket, a child process) would starve other tests running meanwhile,
/// and an in-process server the work talks to.
public func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
