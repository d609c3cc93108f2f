/// What a diff or a Codex patch says about one file: create it, change it (and perhaps move it), or
/// delete it.
struct FilePatch: Equatable {
    /// What happens to the file.
    enum Kind: Equatable {
        /// The file must not exist; it is made of the hunks' added lines.
        case create
        /// The file must exist; the hunks apply to it.
        case update
        /// The file must exist; when `checked`, the hunks must remove every line of it (a diff's deletion),
        /// else it goes whatever it holds (Codex's `*** Delete File`).
        case delete(checked: Bool)
    }

    /// What happens to the file.
    var kind: Kind
    /// The file, as the patch names it (the old name of a moved file).
    var path: String
    /// Where the file moves to, when it does.
    var moveTo: String?
    /// The hunks, in file order.
    var hunks: [Hunk] = []
    /// The permission bits the file ends with, when the patch sets them.
    var mode: UInt16?
    /// How messages name this part of the patch: `the diff of src/a.c at line 3`.
    var label: String
}
