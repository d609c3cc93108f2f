import Foundation
import Synchronization

/// An in-memory Bloom filter of the ids the history index holds, so intake asks SQLite only about ids that
/// may be there: a fresh id (almost every delivery) is answered "not seen" without a query.
///
/// It is filled in the background after start (``insert(_:)`` for each id, then ``markFilled(count:)``),
/// while every id recorded meanwhile is added as it is recorded; until it is full it answers "maybe" for
/// everything. About 10 bits
/// per id (1% false positives): 1.2 MB for a million. Ids that retention forgets stay in it, costing only
/// a query. Past ``maximumIDs`` it is never used (every lookup asks SQLite), to keep memory bounded.
final class IDFilter: Sendable {
    private struct State {
        var words: [UInt64]
        var ready = false
        var disabled = false
    }

    private let state: Mutex<State>
    private let bits: Int
    /// The most ids it is sized for.
    let maximumIDs: Int
    private static let hashes = 7

    /// A filter for up to `capacity` ids (sized for twice that, so ids recorded after start fit too).
    init(capacity: Int, maximumIDs: Int = 8_000_000) {
        self.maximumIDs = maximumIDs
        let ids = max(100_000, min(capacity, maximumIDs) * 2)
        bits = ids * 10
        state = Mutex(State(words: [UInt64](repeating: 0, count: (bits + 63) / 64), disabled: capacity > maximumIDs))
    }

    /// Whether `id` may be in the history: false only when it certainly is not.
    func mightContain(_ id: String) -> Bool {
        let (first, second) = Self.hashPair(id)
        return state.withLock { state in
            guard state.ready, !state.disabled else { return true }
            for round in 0..<Self.hashes {
                let bit = Int((first &+ UInt64(round) &* second) % UInt64(bits))
                if state.words[bit / 64] & (1 << UInt64(bit % 64)) == 0 { return false }
            }
            return true
        }
    }

    /// Adds an id being recorded.
    func insert(_ id: String) {
        let (first, second) = Self.hashPair(id)
        state.withLock { state in Self.set(first, second, bits: bits, in: &state.words) }
    }

    /// Starts answering, once ``insert(_:)`` has been given every id already in the history (`count` of
    /// them); past ``maximumIDs`` it stays off.
    func markFilled(count: Int) {
        state.withLock { state in
            if count > maximumIDs { state.disabled = true } else { state.ready = true }
        }
    }

    private static func set(_ first: UInt64, _ second: UInt64, bits: Int, in words: inout [UInt64]) {
        for round in 0..<hashes {
            let bit = Int((first &+ UInt64(round) &* second) % UInt64(bits))
            words[bit / 64] |= 1 << UInt64(bit % 64)
        }
    }

    /// Two 64-bit hashes for double hashing: FNV-1a over the UTF-8 bytes, and that mixed by SplitMix64's
    /// finalizer (odd, so every round lands on a different bit).
    private static func hashPair(_ id: String) -> (UInt64, UInt64) {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 { first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        var second = first &+ 0x9e37_79b9_7f4a_7c15
        second = (second ^ (second >> 30)) &* 0xbf58_476d_1ce4_e5b9
        second = (second ^ (second >> 27)) &* 0x94d0_49bb_1331_11eb
        return (first, (second ^ (second >> 31)) | 1)
    }
}
