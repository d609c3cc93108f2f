/// The inbox files waiting to be taken again, each with its own backoff: a file still being written is
/// looked at again soon, one that keeps failing less and less often (up to every 30 s).
struct InboxRetries {
    private struct Entry {
        var attempts: Int
        var next: ContinuousClock.Instant
    }

    private var entries: [String: Entry] = [:]

    /// The first wait; each further failure doubles it.
    static let firstDelay = Duration.milliseconds(250)
    /// The longest wait between two tries.
    static let longestDelay = Duration.seconds(30)

    /// Records another try of `name` that must be repeated; returns true for the first failure (the one
    /// worth logging). A file still being written (`failed` false) is looked at again after the first delay.
    mutating func postpone(_ name: String, at now: ContinuousClock.Instant, failed: Bool = true) -> Bool {
        var entry = entries[name] ?? Entry(attempts: 0, next: now)
        if failed { entry.attempts += 1 }
        let factor = 1 << min(max(entry.attempts - 1, 0), 16)
        entry.next = now + min(Self.firstDelay * factor, Self.longestDelay)
        entries[name] = entry
        return failed && entry.attempts == 1
    }

    /// Stops tracking `name` (taken, gone, or seen anew).
    mutating func forget(_ name: String) { entries[name] = nil }

    /// The names whose next try is due, in name order.
    func due(at now: ContinuousClock.Instant) -> [String] {
        entries.filter { $0.value.next <= now }.map(\.key).sorted()
    }

    /// How long `name` waits after its latest failure, `nil` when it is not waiting.
    func delay(of name: String, from now: ContinuousClock.Instant) -> Duration? {
        entries[name].map { $0.next - now }
    }
}
