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

    /// Every offset in `haystack` (its own indices) where `needle` starts, overlapping occurrences included,
    /// up to ``BlockMatcher/candidateLimit``: Knuth-Morris-Pratt, linear in both lengths whatever they hold.
    static func occurrences(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> [Int] {
        guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
        // fallback[i]: the length of the longest proper prefix of needle[...i] that is also its suffix.
        var fallback = [Int](repeating: 0, count: needle.count)
        var length = 0
        for index in 1..<max(needle.count, 1) {
            while length > 0 && needle[index] != needle[length] { length = fallback[length - 1] }
            if needle[index] == needle[length] { length += 1 }
            fallback[index] = length
        }
        var found: [Int] = []
        var matched = 0
        for index in haystack.indices {
            while matched > 0 && haystack[index] != needle[matched] { matched = fallback[matched - 1] }
            if haystack[index] == needle[matched] { matched += 1 }
            if matched == needle.count {
                found.append(index + 1 - needle.count)
                if found.count == BlockMatcher.candidateLimit { break }
                matched = fallback[matched - 1]
            }
        }
        return found
    }
}
