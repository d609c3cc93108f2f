/// Where a value's text lies in the file, and what it needs to be copied back as it was.
struct JSONSourceText: Sendable, Hashable {
    /// The value's bytes in the file.
    var range: Range<Int>
    /// The leading white space of the line the value starts on: the indentation its inner lines are
    /// relative to.
    var lineIndent: Range<Int>
    /// Whether the text spans several lines (and so can only be copied where the indentation is the same).
    var multiLine: Bool
}
