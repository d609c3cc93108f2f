/// Each line's key and hash at each ``MatchLevel``, computed once per file and kept: a diff's hunks search
/// one file many times, and hashing every line again for each hunk would cost the file's size per hunk.
final class LineHashCache {
    /// What ``BlockMatcher`` compares at one level: the lines' keys (`nil` at the exact level, where the
    /// file's bytes are compared in place) and their hashes.
    typealias Lines = (keys: [LineKey]?, hashes: [UInt64])

    private var levels: [MatchLevel: Lines] = [:]
    private var indexes: [MatchLevel: LineIndex] = [:]

    /// The lines of each hash at `level`, from `compute` the first time.
    func index(at level: MatchLevel, compute: () -> LineIndex) -> LineIndex {
        if let known = indexes[level] { return known }
        let index = compute()
        indexes[level] = index
        return index
    }

    /// The lines at `level`, from `compute` the first time.
    func lines(at level: MatchLevel, compute: () -> Lines) -> Lines {
        if let known = levels[level] { return known }
        let lines = compute()
        levels[level] = lines
        return lines
    }
}
