/// Finds where a block of whole lines fits in a file at one ``MatchLevel``: every place, never only the first.
struct BlockMatcher {
    /// One place the block fits.
    struct Candidate: Equatable {
        /// The 0-based index of the first file line.
        var start: Int
        /// How the file's indentation differs from the search's there.
        var shift: IndentShift
    }

    /// The file's lines.
    let file: TextLines
    /// The lines' keys and hashes at each level, shared by every search of this matcher (and its copies).
    private let cache = LineHashCache()

    /// A matcher over `file`.
    init(file: TextLines) { self.file = file }

    /// At most this many places are collected: enough to name them, and a bound on the work when a
    /// search of many repeated lines meets a file of the same lines.
    static let candidateLimit = 100

    /// Every place (up to ``candidateLimit``) where `search` fits at `level`, in file order.
    ///
    /// Windows of lines are compared by a rolling hash of their line hashes first, so a search of `m` lines
    /// costs one pass over the file plus `m` comparisons per real candidate, whatever the file holds.
    /// - Parameter first: The first line index a place may start at (a hunk after an earlier one).
    func candidates(of search: [[UInt8]], at level: MatchLevel, from first: Int = 0) -> [Candidate] {
        guard !search.isEmpty, first >= 0, first + search.count <= file.count else { return [] }
        let wanted = search.map { level.key($0[...]) }
        let file = file
        let (keys, hashes) = cache.lines(at: level) {
            // The exact level compares the file's bytes in place instead of building a key for every line.
            let keys: [LineKey]? = level == .exact ? nil : (0..<file.count).map { level.key(file.text($0)) }
            return (keys, (0..<file.count).map { Self.hash(keys?[$0].body[...] ?? file.text($0)) })
        }
        func body(_ index: Int) -> ArraySlice<UInt8> { keys?[index].body[...] ?? file.text(index) }
        let target = Self.windowHash(wanted.map { Self.hash($0.body[...]) }[...])
        var power: UInt64 = 1
        for _ in 1..<search.count { power = power &* Self.base }
        var window = Self.windowHash(hashes[first..<(first + search.count)])
        var found: [Candidate] = []
        for start in first...(file.count - search.count) {
            if start > first { window = (window &- hashes[start - 1] &* power) &* Self.base &+ hashes[start + search.count - 1] }
            guard window == target, wanted.indices.allSatisfy({ body(start + $0).elementsEqual(wanted[$0].body) }) else { continue }
            guard let keys else {
                found.append(Candidate(start: start, shift: .none))
                if found.count == Self.candidateLimit { break }
                continue
            }
            if let shift = shift(keys[start..<(start + search.count)], wanted, level: level) {
                found.append(Candidate(start: start, shift: shift))
                if found.count == Self.candidateLimit { break }
            }
        }
        return found
    }

    private static let base: UInt64 = 0x100_0000_01B3

    /// FNV-1a of a line.
    private static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return value
    }

    /// The polynomial hash of consecutive line hashes, as the rolling update in ``candidates(of:at:)`` keeps it.
    private static func windowHash(_ hashes: ArraySlice<UInt64>) -> UInt64 {
        hashes.reduce(0) { $0 &* base &+ $1 }
    }

    /// The one indentation shift under which `lines` equal `wanted`, or `nil` when they differ.
    private func shift(_ lines: ArraySlice<LineKey>, _ wanted: [LineKey], level: MatchLevel) -> IndentShift? {
        var common: IndentShift?
        for (line, want) in zip(lines, wanted) {
            guard line.body == want.body else { return nil }
            guard level.comparesIndentationAsShift, !want.body.isEmpty else { continue }
            guard let shift = IndentShift(file: line.indent, search: want.indent), common == nil || common == shift else { return nil }
            common = shift
        }
        return common ?? IndentShift.none
    }
}
