/// One hunk of a unified diff or one chunk of a Codex patch: lines to find (the old side: context and
/// removed lines) and what they become (context and added lines), with what the format says about where.
struct Hunk: Equatable {
    /// The body, in order.
    var lines: [HunkLine]
    /// How messages name the hunk: `hunk 2 of src/a.c (diff line 14)`.
    var label: String
    /// The 1-based line where the diff says the old side starts, when the format states one.
    var statedLine: Int?
    /// Lines that must be found first, each after the one before, the old side after the last (Codex's
    /// `@@ def handler():`).
    var anchors: [[UInt8]] = []
    /// True when the old side must end at the end of the file (`*** End of File`, or a `\ No newline`
    /// marker on the old side).
    var atEnd = false
    /// True when the diff says the old side's last line has no line break.
    var oldLacksFinalNewline = false
    /// True when the diff says the new side's last line has no line break.
    var newLacksFinalNewline = false
    /// True when a hunk with no old side is appended to a file that is not empty (Codex does) instead of
    /// being refused for naming no place.
    var appendsWithoutContext = false
    /// True when a last context line that is blank may be set aside if the hunk fits nowhere with it
    /// (Codex's retry: models end chunks with a blank line the file may not have).
    var trailingBlankIsOptional = false
    /// The line break for lines written into an empty file.
    var newFileTerminator: [UInt8] = [0x0A]
    /// The matching ladder the hunk climbs (its anchors too).
    var levels: [MatchLevel] = MatchLevel.ladder

    /// The lines to find.
    var old: [[UInt8]] { lines.filter { $0.kind != .added }.map(\.text) }
    /// The lines they become.
    var new: [[UInt8]] { lines.filter { $0.kind != .removed }.map(\.text) }

    /// The ways to look for the hunk, strictest first: as written, then with up to `fuzz` context lines set
    /// aside at each end (and, where allowed, a last blank context line). Each comes with the fuzz used and
    /// how many leading lines were set aside. A variant that would leave nothing to find is not offered.
    func variants(fuzz: Int) -> [(hunk: Hunk, fuzz: Int, leading: Int)] {
        var found: [(hunk: Hunk, fuzz: Int, leading: Int)] = [(self, 0, 0)]
        if trailingBlankIsOptional, let last = lines.last, last.kind == .context, last.text.allSatisfy(LineKey.isSpace) {
            var trimmed = self
            trimmed.lines.removeLast()
            if !trimmed.old.isEmpty { found.append((trimmed, 0, 0)) }
        }
        let leadingContext = lines.prefix { $0.kind == .context }.count
        let trailingContext = lines.count == leadingContext ? 0 : lines.reversed().prefix { $0.kind == .context }.count
        var previous = (0, 0)
        for level in stride(from: 1, through: fuzz, by: 1) {
            let cut = (min(level, leadingContext), min(level, trailingContext))
            guard cut != previous else { break }
            previous = cut
            var trimmed = self
            trimmed.lines = Array(lines.dropFirst(cut.0).dropLast(cut.1))
            if cut.1 > 0 {
                // The lines at the end of the file were set aside: what the diff says about them no longer applies.
                trimmed.atEnd = false
                trimmed.oldLacksFinalNewline = false
                trimmed.newLacksFinalNewline = false
            }
            guard !trimmed.old.isEmpty else { break }
            found.append((trimmed, level, cut.0))
        }
        return found
    }
}
