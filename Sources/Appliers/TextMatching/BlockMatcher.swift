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
    /// The search's rarest line in the file (by an index of line hashes, built once per matcher and level)
    /// names the only places worth comparing, so the many hunks of a large diff each cost their own
    /// occurrences, not a pass over the file. When even the rarest line is too common for that to pay, windows
    /// are compared by a rolling hash of their line hashes instead: one pass over the file plus `m`
    /// comparisons per real candidate, whatever the file holds.
    /// - Parameters:
    ///   - first: The first line index a place may start at (a hunk after an earlier one).
    ///   - context: The indices of the search's lines the edit keeps (at ``MatchLevel/staleContext`` one of
    ///     them may differ); that level finds nothing without them.
    func candidates(of search: [[UInt8]], at level: MatchLevel, from first: Int = 0, context: [Int] = []) -> [Candidate] {
        guard !search.isEmpty, first >= 0, first + search.count <= file.count else { return [] }
        if level == .staleContext { return staleCandidates(of: search, context: context, from: first) }
        let wanted = search.map { level.key($0[...]) }
        let (keys, hashes) = lines(at: level)
        func body(_ index: Int) -> ArraySlice<UInt8> { keys?[index].body[...] ?? file.text(index) }
        let wantedHashes = wanted.map { Self.hash($0.body[...]) }
        func place(_ start: Int) -> Candidate? {
            guard wanted.indices.allSatisfy({ hashes[start + $0] == wantedHashes[$0] && body(start + $0).elementsEqual(wanted[$0].body) }) else {
                return nil
            }
            guard let keys else { return Candidate(start: start, shift: .none) }
            return shift(keys[start..<(start + search.count)], wanted, level: level).map { Candidate(start: start, shift: $0) }
        }
        let index = cache.index(at: level.keyLevel) { LineIndex(hashes) }
        let anchor = wantedHashes.indices.min { index.count(of: wantedHashes[$0]) < index.count(of: wantedHashes[$1]) } ?? 0
        if index.count(of: wantedHashes[anchor]) * search.count <= file.count {
            var found: [Candidate] = []
            for line in index.lines(of: wantedHashes[anchor]) where line - anchor >= first && line - anchor + search.count <= file.count {
                if let candidate = place(line - anchor) { found.append(candidate) }
                if found.count == Self.candidateLimit { break }
            }
            return found
        }
        let target = Self.windowHash(wantedHashes[...])
        var power: UInt64 = 1
        for _ in 1..<search.count { power = power &* Self.base }
        var window = Self.windowHash(hashes[first..<(first + search.count)])
        var found: [Candidate] = []
        for start in first...(file.count - search.count) {
            if start > first { window = (window &- hashes[start - 1] &* power) &* Self.base &+ hashes[start + search.count - 1] }
            guard window == target, let candidate = place(start) else { continue }
            found.append(candidate)
            if found.count == Self.candidateLimit { break }
        }
        return found
    }

    /// Every place where `search` fits at ``MatchLevel/unicodePunctuation`` but for one of its `context` lines,
    /// which the file has changed (similarity 0.5 or more, not blank). At least two other non-blank lines must
    /// fit, and a place counts once whichever line differs there.
    private func staleCandidates(of search: [[UInt8]], context: [Int], from first: Int) -> [Candidate] {
        let level = MatchLevel.unicodePunctuation
        let count = search.count
        let wanted = search.map { level.key($0[...]) }
        let stale = context.filter { wanted.indices.contains($0) && !wanted[$0].body.isEmpty }
        guard count >= 3, !stale.isEmpty, wanted.filter({ !$0.body.isEmpty }).count >= 3 else { return [] }
        let (keys, hashes) = lines(at: level)
        guard let keys else { return [] }
        // The window hash weighs line j by base^(count - 1 - j): a line set aside is subtracted out of both sides.
        var powers = [UInt64](repeating: 1, count: count)
        for index in stride(from: count - 2, through: 0, by: -1) { powers[index] = powers[index + 1] &* Self.base }
        let wantedHashes = wanted.map { Self.hash($0.body[...]) }
        let target = Self.windowHash(wantedHashes[...])
        var window = Self.windowHash(hashes[first..<(first + count)])
        var found: [Candidate] = []
        for start in first...(file.count - count) {
            if start > first { window = (window &- hashes[start - 1] &* powers[0]) &* Self.base &+ hashes[start + count - 1] }
            for line in stale where window &- hashes[start + line] &* powers[line] == target &- wantedHashes[line] &* powers[line] {
                let others = wanted.indices.filter { $0 != line }
                guard keys[start + line].body != wanted[line].body, others.allSatisfy({ keys[start + $0].body == wanted[$0].body }),
                    LineSimilarity(file.text(start + line)).score(LineSimilarity(search[line][...])) >= 0.5,
                    let shift = shift(ArraySlice(others.map { keys[start + $0] }), others.map { wanted[$0] }, level: level)
                else { continue }
                found.append(Candidate(start: start, shift: shift))
                break
            }
            if found.count == Self.candidateLimit { break }
        }
        return found
    }

    /// The file's line keys at `level` (`nil` at the exact level, which compares the bytes in place) and
    /// their hashes, computed once per matcher.
    private func lines(at level: MatchLevel) -> (keys: [LineKey]?, hashes: [UInt64]) {
        let file = file
        return cache.lines(at: level.keyLevel) {
            guard level != .exact else {
                // The file's own bytes, read in place: a large file has hundreds of thousands of lines.
                let hashes = file.bytes.withUnsafeBufferPointer { bytes in
                    (0..<file.count).map { Self.hash(UnsafeBufferPointer(rebasing: bytes[file.starts[$0]..<file.textEnd($0)])) }
                }
                return (nil, hashes)
            }
            let keys = (0..<file.count).map { level.key(file.text($0)) }
            return (keys, keys.map { Self.hash($0.body[...]) })
        }
    }

    private static let base: UInt64 = 0x100_0000_01B3

    /// FNV-1a of a line.
    private static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
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
        if level == .indentationStyle {
            var pairs: [(file: [UInt8], search: [UInt8])] = []
            for (line, want) in zip(lines, wanted) {
                guard line.body == want.body else { return nil }
                if !want.body.isEmpty { pairs.append((line.indent, want.indent)) }
            }
            return IndentStyleMap(pairs).map { .restyled($0) }
        }
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
