/// One line of a hunk body: kept, removed or added.
struct HunkLine: Equatable {
    /// What the line does.
    enum Kind: Equatable {
        /// On both sides: ` line` in a diff. The file's own bytes are kept where it matches.
        case context
        /// On the old side only: `-line`.
        case removed
        /// On the new side only: `+line`.
        case added
    }

    /// What the line does.
    var kind: Kind
    /// The line's text, without its marker or terminator.
    var text: [UInt8]
}
