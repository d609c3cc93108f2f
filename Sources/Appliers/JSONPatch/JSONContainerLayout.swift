/// How the file laid out a non-empty container's members, to lay them out the same way after a change.
enum JSONContainerLayout: Sendable, Hashable {
    /// Every member on the container's first line (`[1, 2, 3]`); `spaced` says whether a space follows
    /// its commas (`nil`: it had one member, so the file's style decides).
    case inline(spaced: Bool?)
    /// One member per line: `lineIndent` is the indentation of the container's first line (the closing
    /// bracket's), `memberIndent` the indentation of its members (ranges of the file's bytes).
    case lines(lineIndent: Range<Int>, memberIndent: Range<Int>)
}
