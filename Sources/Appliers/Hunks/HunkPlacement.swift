/// Where one hunk goes in the file as earlier hunks left it.
struct HunkPlacement {
    /// The hunk as found: context lines may have been set aside (fuzz).
    var hunk: Hunk
    /// The 0-based index of the first file line of the old side (or where the new lines go when it is empty).
    var start: Int
    /// The ladder level where the old side fits; `nil` for a hunk with no old side.
    var level: MatchLevel?
    /// The indentation shift of the file against the hunk, applied to added lines.
    var shift: IndentShift
    /// How many context lines were set aside at each end.
    var fuzz: Int
    /// How many leading context lines were set aside.
    var leading: Int
}
