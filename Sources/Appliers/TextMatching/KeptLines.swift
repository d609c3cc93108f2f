/// Which lines of a replacement an edit keeps from its search: the longest common subsequence of the two,
/// line by line, byte for byte. Those lines are written as the file has them (its whitespace, its
/// punctuation, a change made since the model read it), and only the others come from the payload.
struct KeptLines {
    /// For each replacement line the edit keeps, the index of its search line.
    let searchIndex: [Int: Int]

    /// Beyond this many line pairs only the common head and tail are aligned (a quadratic table would cost
    /// too much for a huge edit, and such edits rarely interleave kept and changed lines).
    static let tableLimit = 4_000_000

    /// The alignment of `replace` against `search`.
    init(search: [[UInt8]], replace: [[UInt8]]) {
        var pairs: [Int: Int] = [:]
        let head = zip(search, replace).prefix { $0 == $1 }.count
        for index in 0..<head { pairs[index] = index }
        let tailLimit = min(search.count, replace.count) - head
        let tail = zip(search.reversed(), replace.reversed()).prefix { $0 == $1 }.count
        let kept = min(tail, tailLimit)
        if kept > 0 {
            for offset in 1...kept { pairs[replace.count - offset] = search.count - offset }
        }
        let middleSearch = Array(search[head..<(search.count - kept)])
        let middleReplace = Array(replace[head..<(replace.count - kept)])
        if !middleSearch.isEmpty, !middleReplace.isEmpty, middleSearch.count * middleReplace.count <= Self.tableLimit {
            for (s, r) in Self.commonSubsequence(middleSearch, middleReplace) { pairs[head + r] = head + s }
        }
        searchIndex = pairs
    }

    /// The search lines the edit keeps (context: the ones the stale-context rung may find changed).
    var keptSearchLines: [Int] { searchIndex.values.sorted() }

    /// Index pairs (search, replace) of a longest common subsequence.
    private static func commonSubsequence(_ a: [[UInt8]], _ b: [[UInt8]]) -> [(Int, Int)] {
        let width = b.count + 1
        var table = [Int32](repeating: 0, count: (a.count + 1) * width)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i * width + j] = a[i] == b[j] ? table[(i + 1) * width + j + 1] + 1 : max(table[(i + 1) * width + j], table[i * width + j + 1])
            }
        }
        var pairs: [(Int, Int)] = []
        var (i, j) = (0, 0)
        while i < a.count, j < b.count {
            if a[i] == b[j] {
                pairs.append((i, j))
                i += 1
                j += 1
            } else if table[(i + 1) * width + j] >= table[i * width + j + 1] {
                i += 1
            } else {
                j += 1
            }
        }
        return pairs
    }
}
