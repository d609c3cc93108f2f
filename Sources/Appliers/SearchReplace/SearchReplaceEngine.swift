import ApplierAPI

/// Applies one edit to one file's bytes: climbs the matching ladder, insists on a single place at the
/// first level where the search fits at all, and splices the replacement in with the file's line endings.
/// Bytes outside the replaced lines are never touched.
enum SearchReplaceEngine {
    /// The file's new bytes and what happened.
    /// - Parameters:
    ///   - edit: The edit, with a non-empty search.
    ///   - bytes: The file's current bytes.
    ///   - path: The file's path, for messages and the outcome.
    /// - Throws: ``Reason/ambiguousMatch`` or ``Reason/noMatch``, with the candidates or a hint.
    static func apply(_ edit: SearchReplaceEdit, to bytes: [UInt8], path: String) throws(ApplyError) -> (bytes: [UInt8], outcome: EditOutcome) {
        let file = TextLines(bytes)
        if edit.isFragment { return try applyFragment(edit, file: file, path: path) }
        let search = PayloadLines(edit.search).lines
        let replace = PayloadLines(edit.replace).lines
        let kept = KeptLines(search: search, replace: replace)
        let context = kept.keptSearchLines
        if let fit = LadderFit.find(search, in: BlockMatcher(file: file), context: context) {
            let level = fit.level
            let match = fit.candidates[0]
            if fit.candidates.count > 1 { throw ambiguous(edit, path: path, level: level, places: fit.candidates.map { String($0.start + 1) }) }
            var replacement: [[UInt8]] = []
            for (index, line) in replace.enumerated() {
                // A line the edit keeps stays as the file has it (its whitespace, its punctuation, a change made
                // since the model read it): only the lines the edit changes are written from the payload.
                if let searchLine = kept.searchIndex[index] {
                    replacement.append(Array(file.text(match.start + searchLine)))
                    continue
                }
                guard let moved = match.shift.apply(to: line) else {
                    throw MatchFailure.unshiftable(edit.label, path: path, at: match, level: level, line: "replacement line \(index + 1)")
                }
                replacement.append(moved)
            }
            let range = match.start..<(match.start + search.count)
            let outcome = EditOutcome(path: path, match: level.rawValue, line: match.start + 1, lines: search.count, indent: match.shift.receiptValue)
            return (splice(replacement, over: range, in: file), outcome)
        }
        throw ApplyError(.noMatch, "\(edit.label) matches nowhere in \(path)" + NoMatchHint(file: file, edit: edit).text)
    }

    /// A search without a line break: a substring of one line, exact or with punctuation folded.
    private static func applyFragment(
        _ edit: SearchReplaceEdit,
        file: TextLines,
        path: String
    ) throws(ApplyError) -> (
        bytes: [UInt8], outcome: EditOutcome
    ) {
        let matcher = FragmentMatcher(file: file)
        for level in FragmentMatcher.levels {
            let found = matcher.candidates(of: Array(edit.search.utf8), at: level)
            if found.count > 1 { throw ambiguous(edit, path: path, level: level, places: places(of: found, in: file)) }
            guard let range = found.first else { continue }
            let inserted = PayloadLines.converting(edit.replace, to: file.dominantTerminator)
            let output = Array(file.bytes[..<range.lowerBound]) + inserted + file.bytes[range.upperBound...]
            let first = file.lineNumber(at: range.lowerBound)
            let last = file.lineNumber(at: max(range.lowerBound, range.upperBound - 1))
            return (output, EditOutcome(path: path, match: level.rawValue, line: first, lines: last - first + 1))
        }
        throw ApplyError(.noMatch, "\(edit.label) matches nowhere in \(path)" + NoMatchHint(file: file, edit: edit).text)
    }

    /// The file with lines `range` replaced by `replacement`: new lines take the terminator of the lines
    /// around them, and the last one keeps the terminator (or its absence) of the last line replaced.
    private static func splice(_ replacement: [[UInt8]], over range: Range<Int>, in file: TextLines) -> [UInt8] {
        let last = range.upperBound - 1
        let lastTerminator = file.terminator(last)
        var output: [UInt8]
        if replacement.isEmpty {
            // Removing an unterminated last line leaves the line before it last, and unterminated.
            let cut = lastTerminator.isEmpty && range.lowerBound > 0 ? file.textEnd(range.lowerBound - 1) : file.starts[range.lowerBound]
            output = Array(file.bytes[..<cut])
        } else {
            let terminator = file.terminator(near: range)
            output = Array(file.bytes[..<file.starts[range.lowerBound]])
            for (index, line) in replacement.enumerated() {
                if index > 0 { output += terminator }
                output += line
            }
            output += lastTerminator
        }
        output += file.bytes[file.end(last)...]
        return output
    }

    private static func ambiguous(_ edit: SearchReplaceEdit, path: String, level: MatchLevel, places: [String]) -> ApplyError {
        MatchFailure.ambiguous(
            edit.label,
            path: path,
            level: level,
            places: places,
            advice: "add text around the search so that it fits exactly one place"
        )
    }

    /// Where fragments were found: line numbers, or `line:column` (1-based, in bytes) when a line holds two.
    private static func places(of ranges: [Range<Int>], in file: TextLines) -> [String] {
        let lines = ranges.map { file.lineNumber(at: $0.lowerBound) }
        guard Set(lines).count < lines.count else { return lines.map(String.init) }
        return zip(ranges, lines).map { range, line in "\(line):\(range.lowerBound - file.starts[line - 1] + 1)" }
    }
}
