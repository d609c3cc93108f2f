import ApplierAPI

/// Aider's SEARCH/REPLACE text: for each block, a file path on one of the lines just above it (alone,
/// or in the opening fence line as ```` ```python app.py ````), then `<<<<<<< SEARCH`, the lines to find,
/// `=======`, the lines to put there, `>>>>>>> REPLACE`. Markers may have 5 to 9 signs and surrounding
/// whitespace, as Aider accepts. A block with no path of its own edits the previous block's file (the
/// first one, the operation's target). Text between blocks (prose, fences) is ignored, but a divider or
/// `REPLACE` marker outside a block is refused: it means a block lost its head, and silently dropping an
/// edit is worse than refusing the patch.
enum AiderBlocks {
    private enum Marker {
        case search, divider, replace
    }

    /// The blocks of `text`, in order, as whole-line edits.
    /// - Throws: ``Reason/invalidPatch`` with the line number of what is malformed.
    static func parse(_ text: String) throws(ApplyError) -> [SearchReplaceEdit] {
        // "\r\n" is one Character in Swift: split on both.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        var edits: [SearchReplaceEdit] = []
        var currentPath: String?
        var afterLastBlock = 0
        var index = 0
        while index < lines.count {
            switch marker(lines[index]) {
            case nil:
                index += 1
                continue
            case .divider, .replace:
                throw invalid("line \(index + 1): '\(trimmed(lines[index]))' outside a SEARCH/REPLACE block (is a '<<<<<<< SEARCH' line missing?)")
            case .search:
                break
            }
            let head = index
            currentPath = fileName(in: lines[max(afterLastBlock, head - 3)..<head]) ?? currentPath
            let (search, divider) = try section(lines, from: head + 1, until: .divider, opened: head)
            let (replace, end) = try section(lines, from: divider + 1, until: .replace, opened: head)
            edits.append(
                SearchReplaceEdit(
                    path: currentPath,
                    search: search,
                    replace: replace,
                    label: "the SEARCH block at line \(head + 1)",
                    wholeLines: true
                )
            )
            afterLastBlock = end + 1
            index = end + 1
        }
        guard !edits.isEmpty else {
            throw invalid(
                "no '<<<<<<< SEARCH' block found: the text form is a path line, '<<<<<<< SEARCH', lines, '=======', lines, '>>>>>>> REPLACE'"
            )
        }
        return edits
    }

    /// The lines from `start` up to the `closing` marker, joined, and the index of that marker.
    private static func section(
        _ lines: [Substring],
        from start: Int,
        until closing: Marker,
        opened head: Int
    ) throws(ApplyError) -> (
        String, Int
    ) {
        var index = start
        while index < lines.count {
            if let found = marker(lines[index]) {
                guard found == closing else {
                    let expected = closing == .divider ? "'======='" : "'>>>>>>> REPLACE'"
                    throw invalid(
                        "line \(index + 1): '\(trimmed(lines[index]))' where the block opened at line \(head + 1) needs \(expected) first"
                    )
                }
                let body = lines[start..<index]
                return (body.isEmpty ? "" : body.joined(separator: "\n") + "\n", index)
            }
            index += 1
        }
        let missing = closing == .divider ? "its '=======' divider" : "its '>>>>>>> REPLACE' line"
        throw invalid("line \(head + 1): the SEARCH block opened here is unterminated: the text ends before \(missing)")
    }

    private static func marker(_ line: Substring) -> Marker? {
        let text = trimmed(line)
        guard let sign = text.first, "<=>".contains(sign) else { return nil }
        let signs = text.prefix { $0 == sign }
        guard (5...9).contains(signs.count) else { return nil }
        let word = text.dropFirst(signs.count).trimmingPrefix(while: \.isWhitespace)
        switch (sign, word) {
        case ("<", "SEARCH") where word.count < text.count - signs.count: return .search
        case ("=", ""): return .divider
        case (">", "REPLACE") where word.count < text.count - signs.count: return .replace
        default: return nil
        }
    }

    /// The path named on the lines just above a block, as Aider finds it: the nearest line first, going
    /// further up only past fence lines.
    private static func fileName(in lines: ArraySlice<Substring>) -> String? {
        var found: [String] = []
        for line in lines.reversed() {
            let text = trimmed(line)
            let isFence = text.hasPrefix("```")
            if let name = isFence ? nameInFence(text) : nameOnLine(text) { found.append(name) }
            if !isFence { break }
        }
        return found.first { $0.contains(".") } ?? found.first
    }

    /// `app.py` from ```` ```app.py ````, ```` ```python app.py ```` or ```` ```ts:src/app.ts ````; nothing from ```` ```python ````.
    private static func nameInFence(_ text: Substring) -> String? {
        guard var name = text.drop(while: { $0 == "`" }).split(whereSeparator: \.isWhitespace).last else { return nil }
        if let colon = name.firstIndex(of: ":"), !name[..<colon].contains(where: { $0 == "." || $0 == "/" }) {
            name = name[name.index(after: colon)...]
        }
        return name.contains(where: { $0 == "." || $0 == "/" }) ? String(name) : nil
    }

    /// A path alone on its line, with the decorations models add (`` `app.py`: ``, `# app.py`, `**app.py**`).
    /// A line with spaces inside is prose, not a path.
    private static func nameOnLine(_ text: Substring) -> String? {
        guard text != "..." else { return nil }
        var name = text
        while name.hasSuffix(":") { name = name.dropLast() }
        name = name.drop { $0 == "#" }
        name = trimmed(name)
        name = name.drop { $0 == "`" || $0 == "*" }
        while let last = name.last, last == "`" || last == "*" { name = name.dropLast() }
        guard !name.isEmpty, !name.contains(where: \.isWhitespace) else { return nil }
        return String(name)
    }

    /// The text without whitespace at either end.
    private static func trimmed(_ text: Substring) -> Substring {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else {
            return text[text.endIndex...]
        }
        return text[first...last]
    }

    private static func invalid(_ message: String) -> ApplyError { ApplyError(.invalidPatch, message) }
}
