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

    /// Every place where `search` fits at `level`, in file order.
    func candidates(of search: [[UInt8]], at level: MatchLevel) -> [Candidate] {
        guard !search.isEmpty, search.count <= file.count else { return [] }
        if level == .exact { return exactCandidates(of: search) }
        let wanted = search.map { level.key($0[...]) }
        let keys = (0..<file.count).map { level.key(file.text($0)) }
        let anchor = wanted.firstIndex { !$0.isBlank } ?? 0
        var found: [Candidate] = []
        for start in 0...(file.count - search.count) where keys[start + anchor].body == wanted[anchor].body {
            if let shift = shift(keys[start..<(start + search.count)], wanted, level: level) {
                found.append(Candidate(start: start, shift: shift))
            }
        }
        return found
    }

    /// The exact level, comparing the file's bytes in place instead of building a key for every line.
    private func exactCandidates(of search: [[UInt8]]) -> [Candidate] {
        var found: [Candidate] = []
        for start in 0...(file.count - search.count) where search.indices.allSatisfy({ file.text(start + $0).elementsEqual(search[$0]) }) {
            found.append(Candidate(start: start, shift: .none))
        }
        return found
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
