/// How alike two lines look, from 0 to 1: the Dice coefficient of their byte pairs, after folding Unicode
/// punctuation and trimming whitespace at both ends. Cheap enough to score every line of a large file.
struct LineSimilarity {
    /// How many bytes of a line are compared.
    static let maxBytes = 1024

    private let pairs: [UInt16]
    private let text: [UInt8]

    /// A line ready to be compared.
    init(_ line: ArraySlice<UInt8>) {
        // The start of a line is enough to tell lines apart, and keeps a hint cheap on huge lines.
        let key = LineKey(splitting: PunctuationFolding.fold(line.prefix(Self.maxBytes))[...])
        text = key.body
        pairs = key.body.count < 2 ? [] : (1..<key.body.count).map { UInt16(key.body[$0 - 1]) << 8 | UInt16(key.body[$0]) }.sorted()
    }

    /// The similarity of two lines: 1 for the same text, 0 when they share no byte pair.
    func score(_ other: LineSimilarity) -> Double {
        if text == other.text { return 1 }
        guard !pairs.isEmpty, !other.pairs.isEmpty else { return 0 }
        return Double(2 * shared(with: other)) / Double(pairs.count + other.pairs.count)
    }

    /// How much of this line (a fragment) the other holds: the share of this line's byte pairs found in it.
    func containment(in other: LineSimilarity) -> Double {
        guard !pairs.isEmpty else { return text.isEmpty || !other.text.contains(text[0]) ? 0 : 1 }
        return Double(shared(with: other)) / Double(pairs.count)
    }

    private func shared(with other: LineSimilarity) -> Int {
        var shared = 0
        var left = 0
        var right = 0
        while left < pairs.count && right < other.pairs.count {
            if pairs[left] == other.pairs[right] {
                shared += 1
                left += 1
                right += 1
            } else if pairs[left] < other.pairs[right] {
                left += 1
            } else {
                right += 1
            }
        }
        return shared
    }
}
