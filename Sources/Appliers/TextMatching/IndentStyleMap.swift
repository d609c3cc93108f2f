/// How the file's indentation is written against the search's when the two use different whitespace (tabs
/// in the file, spaces in the patch, or another width): learnt from the lines that matched, and used to
/// write new lines in the file's style. Never guessed: every pair must agree, deeper must stay deeper, and
/// a new line's indentation is written only when the pairs say how.
struct IndentStyleMap: Equatable {
    /// The file's indentation for each search indentation seen in the matched lines.
    private let pairs: [[UInt8]: [UInt8]]
    /// Search characters per file character (`4` for four spaces per tab), or file characters per search
    /// character when negative; `nil` when the pairs do not give one ratio of one character each side.
    private let ratio: Int?
    private let fileCharacter: UInt8?

    /// The map the matched lines give, or `nil` when they disagree: one search indentation written two ways
    /// in the file, two written one way, or an order that differs (a deeper line shallower in the file).
    /// - Parameter lines: For each matched non-blank line, the file's and the search's leading whitespace.
    init?(_ lines: [(file: [UInt8], search: [UInt8])]) {
        var pairs: [[UInt8]: [UInt8]] = [:]
        var reverse: [[UInt8]: [UInt8]] = [:]
        for (file, search) in lines {
            if let known = pairs[search], known != file { return nil }
            if let known = reverse[file], known != search { return nil }
            pairs[search] = file
            reverse[file] = search
        }
        let ordered = pairs.sorted { Self.width($0.key) < Self.width($1.key) }
        for (shallower, deeper) in zip(ordered, ordered.dropFirst()) where Self.width(shallower.value) >= Self.width(deeper.value) {
            return nil
        }
        self.pairs = pairs
        (ratio, fileCharacter) = Self.ratio(of: pairs)
    }

    /// `line` with its indentation in the file's style; blank lines as they are; `nil` when the pairs do not
    /// say how this indentation is written in the file.
    func apply(to line: [UInt8]) -> [UInt8]? {
        guard !line.allSatisfy(LineKey.isSpace) else { return line }
        let indentEnd = line.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? line.endIndex
        let indent = Array(line[..<indentEnd])
        let rest = line[indentEnd...]
        if let file = pairs[indent] { return file + rest }
        guard let ratio, let fileCharacter, let searchCharacter = indent.first, indent.allSatisfy({ $0 == searchCharacter }) else { return nil }
        let count = ratio > 0 ? (indent.count.isMultiple(of: ratio) ? indent.count / ratio : nil) : indent.count * -ratio
        guard let count else { return nil }
        return [UInt8](repeating: fileCharacter, count: count) + rest
    }

    /// How the receipt shows it: `tabs` or `spaces`, the file's style.
    var receiptValue: String {
        switch fileCharacter {
        case 0x09?: "tabs"
        case 0x20?: "spaces"
        default: "restyled"
        }
    }

    /// Columns, a tab counting eight.
    private static func width(_ indent: [UInt8]) -> Int { indent.reduce(0) { $0 + ($1 == 0x09 ? 8 : 1) } }

    /// One character each side, in a whole ratio (four spaces a tab, a tab two spaces), from pairs with both
    /// sides indented; the ratio is search characters per file character, negative for the other way round.
    private static func ratio(of pairs: [[UInt8]: [UInt8]]) -> (Int?, UInt8?) {
        var ratio: Int?
        var characters: (search: UInt8, file: UInt8)?
        for (search, file) in pairs where !search.isEmpty && !file.isEmpty {
            guard let s = search.first, let f = file.first, search.allSatisfy({ $0 == s }), file.allSatisfy({ $0 == f }) else { return (nil, nil) }
            if let characters, characters != (s, f) { return (nil, nil) }
            characters = (s, f)
            let this: Int?
            if search.count >= file.count {
                this = search.count.isMultiple(of: file.count) ? search.count / file.count : nil
            } else {
                this = file.count.isMultiple(of: search.count) ? -(file.count / search.count) : nil
            }
            guard let this, ratio == nil || ratio == this else { return (nil, nil) }
            ratio = this
        }
        return (ratio, characters?.file)
    }
}
