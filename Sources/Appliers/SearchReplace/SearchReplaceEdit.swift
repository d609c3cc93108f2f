/// One search/replace edit as a payload states it, whichever form it came in.
struct SearchReplaceEdit: Equatable, Sendable {
    /// The file, as written in the payload; `nil` for the operation's target.
    var path: String?
    /// The text to find.
    var search: String
    /// The text to put in its place.
    var replace: String
    /// How messages name the edit: `edits[2]`, `the SEARCH block at line 14`, `the edit`.
    var label: String
    /// True when the search names whole lines even without a line break (Aider's blocks always do).
    var wholeLines: Bool = false

    /// True when the search is a piece of one line, found as a substring: it holds no line break and the
    /// form does not make it a whole line.
    var isFragment: Bool { !wholeLines && !search.utf8.contains(UInt8(ascii: "\n")) && !isEmptySearch }

    /// True when the search is empty or only whitespace: it names no place, and only creates a missing file.
    var isEmptySearch: Bool { PayloadLines(search).isBlank }
}
