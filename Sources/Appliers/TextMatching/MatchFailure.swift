import ApplierAPI

/// The failures every line-matching role words the same way.
enum MatchFailure {
    /// ``Reason/ambiguousMatch``: `what` fits several places at `level`; nothing was written.
    /// - Parameters:
    ///   - what: How the message names the search (`edits[2]`, `hunk 3 of src/a.c`).
    ///   - path: The file.
    ///   - level: The first ladder level where it fits.
    ///   - places: 1-based line numbers, or `line:column` where a line holds two places.
    ///   - advice: What to send instead.
    static func ambiguous(_ what: String, path: String, level: MatchLevel, places: [String], advice: String) -> ApplyError {
        let shown = places.prefix(10).joined(separator: ", ")
        let more = places.count > 10 ? " and \(places.count - 10) more" : ""
        let kind = places.first?.contains(":") == true ? "line:column" : "lines"
        let count = places.count < BlockMatcher.candidateLimit ? "\(places.count)" : "\(places.count) or more"
        return ApplyError(
            .ambiguousMatch,
            "\(what) fits \(count) places in \(path) \(level.phrase) (\(kind) \(shown)\(more)); nothing written: \(advice)"
        )
    }

    /// ``Reason/noMatch``: the search fits `place` only with its indentation shifted, and a new line cannot
    /// be shifted the same way (it lacks the whitespace to remove).
    /// - Parameters:
    ///   - what: How the message names the search.
    ///   - path: The file.
    ///   - place: Where the search fits.
    ///   - level: The level where it fits.
    ///   - line: How the message names the new line (`replacement line 2`).
    static func unshiftable(_ what: String, path: String, at place: BlockMatcher.Candidate, level: MatchLevel, line: String) -> ApplyError {
        if case .restyled(let map) = place.shift {
            return ApplyError(
                .noMatch,
                "\(what) fits \(path) at line \(place.start + 1) \(level.phrase), but the file indents with \(map.receiptValue) and the "
                    + "matched lines do not show how to write the indentation of \(line) that way; send the lines with the file's indentation"
            )
        }
        return ApplyError(
            .noMatch,
            "\(what) fits \(path) at line \(place.start + 1) \(level.phrase), but the file is indented \(place.shift.receiptValue ?? "") "
                + "characters against it and \(line) does not start with the whitespace to remove; send the lines with the file's indentation"
        )
    }
}
