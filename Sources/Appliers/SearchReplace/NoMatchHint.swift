/// What a `no_match` failure tells a model so that one retry can succeed: the region of the file most like
/// the search (line numbers, similarity, the lines themselves, the first line that differs), and where
/// the replacement already stands when it does. Bounded: at most ``maxLines`` lines of ``maxLineBytes``.
struct NoMatchHint {
    /// How many file lines the hint quotes at most.
    static let maxLines = 8
    /// How many bytes of one quoted line are kept.
    static let maxLineBytes = 120

    /// The hint, starting with `; ` or `: `, ready to follow the failure's first clause.
    let text: String

    /// The hint for `edit`, which fits nowhere in `file`.
    init(file: TextLines, edit: SearchReplaceEdit) {
        guard file.count > 0 else {
            text = ": the file is empty (an empty search fills an empty or missing file)"
            return
        }
        let search = edit.isFragment ? [Array(edit.search.utf8)] : PayloadLines(edit.search).lines
        var parts = [Self.closestRegion(of: search, in: file, fragment: edit.isFragment)]
        if let line = Self.presentLine(of: edit, in: file) {
            parts.append(
                "the replacement text is already present at line \(line) (if this edit was applied before, there is nothing left to do)"
            )
        }
        let ignoring = edit.isFragment ? "Unicode punctuation" : "whitespace and Unicode punctuation"
        text = ", not even ignoring \(ignoring); " + parts.joined(separator: "; ")
    }

    /// The file lines most like the search: found by its first non-blank line, scored over all its lines.
    private static func closestRegion(of search: [[UInt8]], in file: TextLines, fragment: Bool) -> String {
        let anchor = search.firstIndex { !$0.allSatisfy(LineKey.isSpace) } ?? 0
        let wanted = LineSimilarity(search[anchor][...])
        var best = (line: 0, score: -1.0)
        for index in 0..<file.count {
            let candidate = LineSimilarity(file.text(index))
            let score = fragment ? wanted.containment(in: candidate) : wanted.score(candidate)
            if score > best.score { best = (index, score) }
        }
        guard best.score > 0 else { return "no line of the file resembles the search's first line" }
        let start = max(0, best.line - anchor)
        let count = min(search.count, file.count - start)
        var total = 0.0
        var firstDifference: Int?
        for offset in 0..<count {
            let line = file.text(start + offset)
            total += fragment ? best.score : LineSimilarity(search[offset][...]).score(LineSimilarity(line))
            if firstDifference == nil, !fragment, !line.elementsEqual(search[offset]) { firstDifference = offset }
        }
        let similarity = (total / Double(max(count, 1)) * 100).rounded() / 100
        let range = count > 1 ? "lines \(start + 1)-\(start + count)" : "line \(start + 1)"
        var hint = "closest is \(range) (similarity \(similarity)):"
        for offset in 0..<min(count, maxLines) {
            hint += "\n\(start + offset + 1)| " + shown(file.text(start + offset))
        }
        if count > maxLines { hint += "\n…" }
        if let offset = firstDifference {
            hint += "\nfirst difference: search line \(offset + 1) is \(quoted(search[offset][...]))"
            hint += " where line \(start + offset + 1) is \(quoted(file.text(start + offset)))"
        }
        return hint
    }

    /// The line where the replacement already stands at any level, when it holds any text.
    private static func presentLine(of edit: SearchReplaceEdit, in file: TextLines) -> Int? {
        let replacement = PayloadLines(edit.replace)
        guard !replacement.isBlank else { return nil }
        if edit.isFragment && replacement.lines.count == 1 {
            let matcher = FragmentMatcher(file: file)
            for level in FragmentMatcher.levels {
                if let range = matcher.candidates(of: Array(edit.replace.utf8), at: level).first { return file.lineNumber(at: range.lowerBound) }
            }
            return nil
        }
        return LadderFit.find(replacement.lines, in: BlockMatcher(file: file)).map { $0.candidates[0].start + 1 }
    }

    private static func shown(_ line: ArraySlice<UInt8>) -> String {
        let kept = String(decoding: line.prefix(maxLineBytes), as: UTF8.self)
        return line.count > maxLineBytes ? kept + "…" : kept
    }

    private static func quoted(_ line: ArraySlice<UInt8>) -> String {
        String(reflecting: shown(line))
    }
}
