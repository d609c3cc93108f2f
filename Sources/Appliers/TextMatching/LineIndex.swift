/// The lines of a file by their hash: how many have each hash, and which, in file order. An open-addressing
/// table over the lines' hashes with a chain through the lines, built in one pass without an allocation per
/// hash: a file of a few hundred thousand distinct lines would otherwise cost as many.
struct LineIndex {
    private let hashes: [UInt64]
    /// Per slot, the first line of its hash (-1: empty), and how many lines have that hash.
    private var firsts: [Int32]
    private var counts: [Int32]
    /// Per line, the next line with the same hash (-1: none).
    private var next: [Int32]
    private let mask: Int

    /// The index of lines with these hashes.
    init(_ hashes: [UInt64]) {
        var capacity = 16
        while capacity < hashes.count * 2 { capacity <<= 1 }
        self.hashes = hashes
        mask = capacity - 1
        firsts = [Int32](repeating: -1, count: capacity)
        counts = [Int32](repeating: 0, count: capacity)
        next = [Int32](repeating: -1, count: hashes.count)
        for line in hashes.indices.reversed() {
            var slot = Self.start(hashes[line], mask)
            while firsts[slot] >= 0 && hashes[Int(firsts[slot])] != hashes[line] { slot = (slot + 1) & mask }
            next[line] = firsts[slot]
            firsts[slot] = Int32(line)
            counts[slot] += 1
        }
    }

    /// How many lines have `hash`.
    func count(of hash: UInt64) -> Int { slot(of: hash).map { Int(counts[$0]) } ?? 0 }

    /// The lines that have `hash`, in file order.
    func lines(of hash: UInt64) -> some Sequence<Int> {
        sequence(state: slot(of: hash).map { firsts[$0] } ?? -1) { (line: inout Int32) -> Int? in
            guard line >= 0 else { return nil }
            defer { line = next[Int(line)] }
            return Int(line)
        }
    }

    private func slot(of hash: UInt64) -> Int? {
        var slot = Self.start(hash, mask)
        while firsts[slot] >= 0 {
            if hashes[Int(firsts[slot])] == hash { return slot }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Where probing for `hash` starts: its high bits folded in, since FNV's low bits alone cluster.
    private static func start(_ hash: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: hash ^ (hash >> 32)) & mask }
}
