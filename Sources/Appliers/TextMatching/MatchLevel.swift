/// One rung of the search/replace matching ladder, loosest last. Each level also ignores what the levels
/// before it ignore; the first level where the search fits at least once decides.
enum MatchLevel: String, Sendable {
    /// Byte for byte (line endings aside: `\n` in the search matches `\r\n` in the file).
    case exact
    /// Spaces and tabs at the end of each line ignored.
    case trailingWhitespace = "trailing_whitespace"
    /// Leading whitespace ignored too, provided every line is shifted by the same prefix; the replacement
    /// is re-indented by that shift.
    case indentation
    /// Unicode punctuation folded to ASCII as well (curly quotes, dashes, non-breaking spaces, ellipsis).
    case unicodePunctuation = "unicode_punctuation"
    /// Punctuation folded and the indentation's style set aside: the file indents with tabs where the search
    /// has spaces (or another width), consistently line by line; new lines are written in the file's style
    /// (``IndentStyleMap``).
    case indentationStyle = "indentation_style"
    /// One unchanged line (context) of the search differs from the file, alike enough (similarity 0.5 or
    /// more), the others fitting at ``unicodePunctuation``: the file changed there since the model read it.
    /// The file's line is kept.
    case staleContext = "stale_context"
    /// Punctuation folded and each line's leading whitespace ignored on its own, with no common shift: Codex's
    /// `seek_sequence` tolerance (lines compared trimmed). Only `apply_patch` climbs this far (``codexLadder``).
    case looseIndentation = "loose_indentation"

    /// The ladder every line-matching role climbs, strictest first.
    static let ladder: [MatchLevel] = [.exact, .trailingWhitespace, .indentation, .unicodePunctuation, .indentationStyle, .staleContext]

    /// ``ladder`` and one rung more, so that `apply_patch` takes whatever Codex's own applier would find.
    static let codexLadder: [MatchLevel] = ladder + [.looseIndentation]

    /// How a line compares at this level.
    /// - Parameter line: The line's text, without its terminator.
    func key(_ line: ArraySlice<UInt8>) -> LineKey {
        switch self {
        case .exact:
            return LineKey(indent: [], body: Array(line))
        case .trailingWhitespace:
            return LineKey(indent: [], body: Array(LineKey.trimmingTrailingSpace(line)))
        case .indentation:
            return LineKey(splitting: line)
        case .unicodePunctuation, .indentationStyle, .staleContext, .looseIndentation:
            return LineKey(splitting: PunctuationFolding.fold(line)[...])
        }
    }

    /// True when leading whitespace is set aside and compared as a shift rather than byte for byte.
    var comparesIndentationAsShift: Bool { self == .indentation || self == .unicodePunctuation }

    /// The level whose line keys this one compares: the levels past ``unicodePunctuation`` key lines as it
    /// does and differ only in what they make of the keys, so the file's lines are keyed, hashed and indexed
    /// once for all of them.
    var keyLevel: MatchLevel {
        switch self {
        case .indentationStyle, .staleContext, .looseIndentation: .unicodePunctuation
        default: self
        }
    }

    /// How the level reads in a message: `exactly`, `ignoring trailing whitespace`, ...
    var phrase: String {
        switch self {
        case .exact: "exactly"
        case .trailingWhitespace: "ignoring trailing whitespace"
        case .indentation: "ignoring indentation"
        case .unicodePunctuation: "ignoring indentation and Unicode punctuation"
        case .indentationStyle: "ignoring the indentation's style (tabs or spaces) and Unicode punctuation"
        case .staleContext: "with one unchanged line differing, ignoring indentation and Unicode punctuation"
        case .looseIndentation: "ignoring each line's indentation and Unicode punctuation"
        }
    }
}
