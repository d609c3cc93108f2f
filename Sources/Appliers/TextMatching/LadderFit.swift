/// Where a block of lines fits on the matching ladder: the first ``MatchLevel`` at which it fits at all,
/// and every place it fits there. The caller insists on one place; the ladder never picks among several.
struct LadderFit {
    /// The first level where the block fits at least once.
    var level: MatchLevel
    /// Every place it fits at that level (up to ``BlockMatcher/candidateLimit``), in file order.
    var candidates: [BlockMatcher.Candidate]

    /// The fit of `search` in `matcher`'s file, climbing the ladder from ``MatchLevel/exact``.
    /// - Parameters:
    ///   - search: The lines to find, without terminators.
    ///   - matcher: The file to look in.
    ///   - levels: The rungs to climb.
    ///   - first: The first line index a place may start at.
    ///   - context: The indices of the search's lines the edit keeps (see ``MatchLevel/staleContext``).
    /// - Returns: `nil` when the block fits nowhere, at any level.
    static func find(
        _ search: [[UInt8]],
        in matcher: BlockMatcher,
        levels: [MatchLevel] = MatchLevel.ladder,
        from first: Int = 0,
        context: [Int] = []
    ) -> LadderFit? {
        for level in levels {
            let found = matcher.candidates(of: search, at: level, from: first, context: context)
            if !found.isEmpty { return LadderFit(level: level, candidates: found) }
        }
        return nil
    }
}
