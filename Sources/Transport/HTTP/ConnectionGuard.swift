import NIOCore
import Synchronization

/// The connections one HTTP server holds, so that a flood of slow clients cannot keep out a prompt one.
///
/// Every local client comes from 127.0.0.1, so nothing here tells clients apart by address. What tells
/// an attacker from a user is progress: a connection still sending its request (head or body) is the
/// cheapest to lose, and a connection past the cap closes the oldest such one. A connection whose request is being
/// served is never closed for a newcomer.
final class ConnectionGuard: Sendable {
    private struct Entry {
        let channel: any Channel
        let order: UInt64
        var awaitingHead: Bool
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var next: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Connections held at once.
    let capacity: Int

    /// A guard holding at most `capacity` connections.
    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// The number of connections held.
    var count: Int { state.withLock { $0.entries.count } }

    /// Registers a new connection, awaiting its head. Past the cap, returns the connection to close: the
    /// oldest one still awaiting its head, or, when every other one is being served, the new one itself.
    func opened(_ channel: any Channel) -> (any Channel)? {
        state.withLock { state in
            state.next += 1
            state.entries[ObjectIdentifier(channel)] = Entry(channel: channel, order: state.next, awaitingHead: true)
            guard state.entries.count > capacity else { return nil }
            let victim = state.entries.values.filter(\.awaitingHead).min { $0.order < $1.order }?.channel ?? channel
            state.entries[ObjectIdentifier(victim)] = nil
            return victim
        }
    }

    /// The connection's whole request (head and body) arrived: it is being served, and no longer evictable.
    func headReceived(_ channel: any Channel) {
        state.withLock { $0.entries[ObjectIdentifier(channel)]?.awaitingHead = false }
    }

    /// The connection's response is sent: it waits for a next request head, and is evictable again.
    func responded(_ channel: any Channel) {
        state.withLock { $0.entries[ObjectIdentifier(channel)]?.awaitingHead = true }
    }

    /// The connection closed.
    func closed(_ channel: any Channel) {
        _ = state.withLock { $0.entries.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}
