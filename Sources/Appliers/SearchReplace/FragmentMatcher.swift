/// Finds where a piece of one line (a search without a line break) fits in a file: every place, overlapping
/// ones included, never only the first.
struct FragmentMatcher {
    /// The file's lines.
    let file: TextLines

    /// The levels that apply to a fragment: the whitespace levels compare whole lines, so they do not.
    static let levels: [MatchLevel] = [.exact, .unicodePunctuation]

    /// The byte ranges of the file where `fragment` fits at `level` (``levels`` only), in file order.
    func candidates(of fragment: [UInt8], at level: MatchLevel) -> [Range<Int>] {
        guard !fragment.isEmpty else { return [] }
        if level != .unicodePunctuation { return Self.occurrences(of: fragment, in: file.bytes[...]).map { $0..<($0 + fragment.count) } }
        let wanted = PunctuationFolding.fold(fragment[...])
        guard !wanted.isEmpty else { return [] }
        var found: [Range<Int>] = []
        for index in 0..<file.count {
            let text = file.text(index)
            let (folded, origins) = PunctuationFolding.foldTracking(text)
            for start in Self.occurrences(of: wanted, in: folded[...]) {
                let end = start + wanted.count
                // A match must begin and end between characters, not inside one that folded to several bytes.
                guard start == 0 || origins[start] != origins[start - 1] else { continue }
                guard end == folded.count || origins[end] != origins[end - 1] else { continue }
                found.append(origins[start]..<(end == folded.count ? text.endIndex : origins[end]))
            }
        }
        return found
    }

    /// Every offset in `haystack` (its own indices) where `needle` starts, overlapping occurrences included.
    static func occurrences(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> [Int] {
        guard let first = needle.first, needle.count <= haystack.count else { return [] }
        var found: [Int] = []
        var index = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { found.append(index) }
            index += 1
        }
        return found
    }
}
