import ApplierAPI

/// Reads OpenAI Codex's `apply_patch` envelope into file patches, following Codex's parser
/// (codex-rs/apply-patch/src/parser.rs): `*** Begin Patch`, then `*** Add File: path` with `+` lines,
/// `*** Delete File: path`, or `*** Update File: path` with an optional `*** Move to: path` and chunks
/// (`@@` or `@@ anchor`, then ` `, `-` and `+` lines, an empty line read as an empty context line, and
/// an optional `*** End of File`), and `*** End Patch` last. Markers may carry whitespace around them and
/// the envelope may sit in a heredoc (`<<'EOF'` ... `EOF`), as Codex's lenient mode accepts.
///
/// Beyond Codex: several `@@ anchor` lines in a row narrow the place step by step (class, then method),
/// and blank lines between file sections are skipped.
struct CodexPatchParser {
    private let text: PatchTextLines
    private var index = 0
    private var end = 0
    private var patches: [FilePatch] = []

    private init(_ patch: String) { text = PatchTextLines(patch) }

    /// The file patches of `patch`, in order.
    /// - Throws: ``Reason/invalidPatch`` naming the line that is wrong.
    static func parse(_ patch: String) throws(ApplyError) -> [FilePatch] {
        var parser = CodexPatchParser(patch)
        try parser.findEnvelope()
        while parser.index < parser.end { try parser.readSection() }
        guard !parser.patches.isEmpty else {
            throw invalid("the patch names no file: add '*** Update File: path' (or Add File, Delete File) sections")
        }
        return parser.patches
    }

    private static let begin = "*** Begin Patch"
    private static let endMarker = "*** End Patch"

    /// Sets ``index`` and ``end`` to the lines between `*** Begin Patch` and `*** End Patch`.
    private mutating func findEnvelope() throws(ApplyError) {
        var first = 0
        var last = text.count - 1
        while first <= last, trimmed(first).isEmpty { first += 1 }
        while last >= first, trimmed(last).isEmpty { last -= 1 }
        if first < last, ["<<EOF", "<<'EOF'", "<<\"EOF\""].contains(trimmed(first)), trimmed(last).hasSuffix("EOF") {
            first += 1
            last -= 1
        }
        guard first <= last, trimmed(first) == Self.begin else {
            throw Self.invalid("line \(first + 1): the first line of the patch must be '\(Self.begin)'")
        }
        guard last > first, trimmed(last) == Self.endMarker else {
            throw Self.invalid("line \(last + 1): the last line of the patch must be '\(Self.endMarker)' (is the patch truncated?)")
        }
        index = first + 1
        end = last
    }

    private mutating func readSection() throws(ApplyError) {
        let at = index
        let line = trimmed(index)
        index += 1
        if line.isEmpty { return }
        if let path = value(line, "*** Add File: ") {
            var hunk = Hunk(lines: [], label: "*** Add File: \(path) (patch line \(at + 1))")
            while index < end, text[index].hasPrefix("+") {
                hunk.lines.append(HunkLine(kind: .added, text: Array(text[index].utf8.dropFirst())))
                index += 1
            }
            patches.append(FilePatch(kind: .create, path: path, hunks: hunk.lines.isEmpty ? [] : [hunk], label: hunk.label))
        } else if let path = value(line, "*** Delete File: ") {
            patches.append(FilePatch(kind: .delete(checked: false), path: path, label: "*** Delete File: \(path) (patch line \(at + 1))"))
        } else if let path = value(line, "*** Update File: ") {
            var moveTo: String?
            if index < end, let destination = value(trimmed(index), "*** Move to: ") {
                moveTo = destination
                index += 1
            }
            var hunks: [Hunk] = []
            while index < end, !text[index].hasPrefix("***") {
                if trimmed(index).isEmpty {
                    index += 1
                    continue
                }
                hunks.append(try readChunk(number: hunks.count + 1, path: path))
            }
            guard !hunks.isEmpty else { throw Self.invalid("line \(at + 1): the update of \(path) has no chunk ('@@' and changed lines)") }
            patches.append(
                FilePatch(kind: .update, path: path, moveTo: moveTo, hunks: hunks, label: "*** Update File: \(path) (patch line \(at + 1))")
            )
        } else {
            throw Self.invalid(
                "line \(at + 1): '\(line)' is not a section header: use '*** Add File: path', '*** Delete File: path' or '*** Update File: path'"
            )
        }
    }

    /// One chunk: its `@@` lines (the first chunk may have none), then its body up to the next `@@`, `***` or
    /// a line that is not a chunk line.
    private mutating func readChunk(number: Int, path: String) throws(ApplyError) -> Hunk {
        let at = index
        var hunk = Hunk(lines: [], label: "chunk \(number) of \(path) (patch line \(at + 1))", trailingBlankIsOptional: true)
        hunk.levels = MatchLevel.codexLadder
        while index < end, text[index].hasPrefix("@@") {
            let anchor = text[index].dropFirst(2).drop { $0 == " " }
            if !anchor.isEmpty { hunk.anchors.append(Array(anchor.utf8)) }
            index += 1
        }
        if index == at, number > 1 {
            throw Self.invalid("line \(at + 1): '\(text[at])' where chunk \(number) of \(path) needs its '@@' line")
        }
        while index < end {
            let line = text[index]
            if line.trimmingPrefix(while: \.isWhitespace) == "*** End of File" {
                hunk.atEnd = true
                index += 1
                break
            }
            let kind: HunkLine.Kind
            switch line.first {
            case nil, " ": kind = .context
            case "-": kind = .removed
            case "+": kind = .added
            default:
                guard hunk.lines.isEmpty, !line.hasPrefix("@@"), !line.hasPrefix("***") else { return try finished(hunk, at: at) }
                throw Self.invalid(
                    "line \(index + 1): unexpected '\(line)' in chunk \(number) of \(path): every line of a chunk starts with ' ' "
                        + "(context), '-' (removed) or '+' (added)"
                )
            }
            hunk.lines.append(HunkLine(kind: kind, text: Array(line.utf8.dropFirst(line.isEmpty ? 0 : 1))))
            index += 1
        }
        return try finished(hunk, at: at)
    }

    /// The chunk, checked: it has lines, and one that only adds has no anchor to misread.
    private func finished(_ hunk: Hunk, at line: Int) throws(ApplyError) -> Hunk {
        var hunk = hunk
        guard !hunk.lines.isEmpty else { throw Self.invalid("line \(line + 1): \(hunk.label) has no line") }
        if hunk.old.isEmpty {
            guard hunk.anchors.isEmpty else {
                throw Self.invalid(
                    "line \(line + 1): \(hunk.label) only adds lines after a '@@' anchor, which names no place of its own "
                        + "(Codex would append them at the end of the file): repeat a line or two of context around them"
                )
            }
            hunk.appendsWithoutContext = true
        }
        return hunk
    }

    /// Line `line` without whitespace at either end.
    private func trimmed(_ line: Int) -> String {
        let text = text[line]
        guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(text[first...last])
    }

    private func value(_ line: String, _ marker: String) -> String? {
        guard line.hasPrefix(marker) else { return nil }
        let path = String(line.dropFirst(marker.count)).trimmingPrefix(while: \.isWhitespace)
        return path.isEmpty ? nil : String(path)
    }

    private static func invalid(_ message: String) -> ApplyError { ApplyError(.invalidPatch, message) }
}
