/// One rung of the search/replace matching ladder, loosest last. Each level also ignores what the levels
/// before it ignore; the first level where the search fits at least once decides.
enum MatchLevel: String, CaseIterable, Sendable {
    /// Byte for byte (line endings aside: `\n` in the search matches `\r\n` in the file).
    case exact
    /// Spaces and tabs at the end of each line ignored.
    case trailingWhitespace = "trailing_whitespace"
    /// Leading whitespace ignored too, provided every line is shifted by the same prefix; the replacement
    /// is re-indented by that shift.
    case indentation
    /// Unicode punctuation folded to ASCII as well (curly quotes, dashes, non-breaking spaces, ellipsis).
    case unicodePunctuation = "unicode_punctuation"

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
        case .unicodePunctuation:
            return LineKey(splitting: PunctuationFolding.fold(line)[...])
        }
    }

    /// True when leading whitespace is set aside and compared as a shift rather than byte for byte.
    var comparesIndentationAsShift: Bool { self == .indentation || self == .unicodePunctuation }

    /// How the level reads in a message: `exactly`, `ignoring trailing whitespace`, ...
    var phrase: String {
        switch self {
        case .exact: "exactly"
        case .trailingWhitespace: "ignoring trailing whitespace"
        case .indentation: "ignoring indentation"
        case .unicodePunctuation: "ignoring indentation and Unicode punctuation"
        }
    }
}
