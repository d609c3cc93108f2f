import ApplierAPI

/// Applies the hunks of one file, in order, each to the file as the ones before left it: finds the old
/// side on the matching ladder (exactly one place at the first level where it fits at all, never before
/// the end of the previous hunk), and writes the new side there. Context lines keep the file's own bytes,
/// added lines take the line break of the lines around them, and bytes outside the hunks are never touched.
enum HunkEngine {
    /// One line of a hunk's result: its text and its line break.
    private typealias Line = (text: [UInt8], terminator: [UInt8])

    /// The file's new bytes and one outcome per hunk.
    ///
    /// Every hunk is found in the file as it was: a hunk is never placed before the end of the previous
    /// one, and the lines after that end are the file's own until the hunk changes them, so this finds
    /// exactly what searching the file as the earlier hunks left it would, with each line hashed once.
    /// Messages and outcomes number lines in the file as the earlier hunks left it.
    /// - Parameters:
    ///   - hunks: The hunks, in file order.
    ///   - bytes: The file's current bytes (empty for a new file).
    ///   - path: The file, for messages and outcomes.
    ///   - fuzz: How many context lines may be set aside at each end of a hunk that fits nowhere whole.
    /// - Throws: ``Reason/noMatch`` (with a hint), ``Reason/ambiguousMatch`` (with the candidates), or
    ///   ``Reason/invalidPatch`` for a hunk that names no place.
    static func apply(_ hunks: [Hunk], to bytes: [UInt8], path: String, fuzz: Int) throws(ApplyError) -> (bytes: [UInt8], outcomes: [EditOutcome]) {
        let file = TextLines(bytes)
        let matcher = BlockMatcher(file: file)
        var floor = 0
        var drift = 0
        var placed: [(placement: HunkPlacement, lines: [Line])] = []
        var outcomes: [EditOutcome] = []
        for hunk in hunks {
            guard let placement = try place(hunk, in: matcher, from: floor, drift: drift, path: path, fuzz: fuzz) else {
                let current = TextLines(assemble(placed, file))
                throw noMatch(hunk, in: current, from: floor + drift, path: path, fuzz: fuzz)
            }
            placed.append((placement, try result(of: placement, in: file, drift: drift, path: path)))
            var outcome = EditOutcome(
                path: path,
                match: placement.level?.rawValue ?? (file.count == 0 ? "created" : "appended"),
                line: placement.start + drift + 1,
                lines: placement.hunk.old.count,
                indent: placement.shift.receiptValue,
                fuzz: placement.fuzz > 0 ? placement.fuzz : nil
            )
            if let stated = hunk.statedLine, placement.level != nil {
                // Both in the file as it was: the stated line is the original file's.
                outcome.offset = placement.start - (stated - 1 + placement.leading)
            }
            outcomes.append(outcome)
            drift += hunk.new.count - hunk.old.count
            floor = placement.start + placement.hunk.old.count
        }
        return (assemble(placed, file), outcomes)
    }

    /// The file with each placed hunk's old side replaced by its result, in one pass.
    private static func assemble(_ placed: [(placement: HunkPlacement, lines: [Line])], _ file: TextLines) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(file.bytes.count)
        var cursor = 0
        for (placement, lines) in placed {
            let start = placement.start
            if start > cursor { output += file.bytes[file.starts[cursor]..<(start < file.count ? file.starts[start] : file.bytes.count)] }
            if lines.isEmpty, placement.hunk.newLacksFinalNewline, start + placement.hunk.old.count == file.count {
                // The last lines removed, and the new last line loses its line break as the diff says.
                if output.last == UInt8(ascii: "\n") { output.removeLast() }
                if output.last == UInt8(ascii: "\r") { output.removeLast() }
            } else if !lines.isEmpty, let last = output.last, last != UInt8(ascii: "\n") {
                // Lines now follow what was the file's unterminated last line.
                output += lineBreak(for: placement, in: file)
            }
            for line in lines { output += line.text + line.terminator }
            cursor = start + placement.hunk.old.count
        }
        if cursor < file.count { output += file.bytes[file.starts[cursor]...] }
        return output
    }

    /// Where `hunk` goes in the file as it was: after its anchors, at or after line index `floor`; `nil` when
    /// its old side fits nowhere. `drift` turns line numbers into the file's as the earlier hunks left it.
    private static func place(
        _ hunk: Hunk,
        in matcher: BlockMatcher,
        from floor: Int,
        drift: Int,
        path: String,
        fuzz: Int
    ) throws(ApplyError) -> HunkPlacement? {
        let file = matcher.file
        var first = floor
        for anchor in hunk.anchors {
            let what = "the @@ line \(String(reflecting: String(decoding: anchor, as: UTF8.self))) of \(hunk.label)"
            guard let fit = LadderFit.find([anchor], in: matcher, levels: hunk.levels, from: first) else {
                throw ApplyError(.noMatch, "\(what) matches no line of \(path)" + (first > 0 ? " after line \(first + drift)" : ""))
            }
            guard fit.candidates.count == 1 else {
                throw MatchFailure.ambiguous(
                    what,
                    path: path,
                    level: fit.level,
                    places: fit.candidates.map { String($0.start + drift + 1) },
                    advice: "give a @@ line that names one place (a whole function or class signature)"
                )
            }
            first = fit.candidates[0].start + 1
        }
        guard !hunk.old.isEmpty else {
            if file.count == 0 { return HunkPlacement(hunk: hunk, start: 0, level: nil, shift: .none, fuzz: 0, leading: 0) }
            guard hunk.appendsWithoutContext else {
                throw ApplyError(
                    .invalidPatch,
                    "\(hunk.label) has no context or removed line, so it names no place in \(path), which is not empty; "
                        + "send the diff with context lines (diff -U3, git diff)"
                )
            }
            return HunkPlacement(hunk: hunk, start: file.count, level: nil, shift: .none, fuzz: 0, leading: 0)
        }
        for variant in hunk.variants(fuzz: fuzz) {
            let old = variant.hunk.old
            let atEnd = variant.hunk.atEnd
            let context = variant.hunk.lines.filter { $0.kind != .added }.enumerated().compactMap { $0.element.kind == .context ? $0.offset : nil }
            guard
                let fit = LadderFit.find(
                    old,
                    in: matcher,
                    levels: hunk.levels,
                    // A hunk that ends the file can only start where the file's last lines begin.
                    from: atEnd ? max(first, file.count - old.count) : first,
                    context: context
                )
            else {
                continue
            }
            guard fit.candidates.count == 1 else {
                throw MatchFailure.ambiguous(
                    hunk.label,
                    path: path,
                    level: fit.level,
                    places: fit.candidates.map { String($0.start + drift + 1) },
                    advice: "send more context lines, so that the hunk fits exactly one place"
                )
            }
            let match = fit.candidates[0]
            return HunkPlacement(
                hunk: variant.hunk,
                start: match.start,
                level: fit.level,
                shift: match.shift,
                fuzz: variant.fuzz,
                leading: variant.leading
            )
        }
        return nil
    }

    /// ``Reason/noMatch`` with search/replace's hint: the closest region, and where the new side already stands.
    private static func noMatch(_ hunk: Hunk, in file: TextLines, from first: Int, path: String, fuzz: Int) -> ApplyError {
        func text(_ lines: [[UInt8]]) -> String { lines.map { String(decoding: $0, as: UTF8.self) + "\n" }.joined() }
        let edit = SearchReplaceEdit(path: path, search: text(hunk.old), replace: text(hunk.new), label: hunk.label, wholeLines: true)
        var scope = hunk.atEnd ? " at its end" : ""
        if first > 0 { scope += " after line \(first)" }
        let tried = fuzz > 0 ? " (with up to \(fuzz) context lines set aside)" : ""
        let hint = file.count == 0 ? ": the file is empty" : NoMatchHint(file: file, edit: edit).text
        return ApplyError(.noMatch, "\(hunk.label) matches nowhere in \(path)\(scope)\(tried)" + hint)
    }

    /// The lines that replace the placed hunk's old side, with their line breaks.
    private static func result(of placement: HunkPlacement, in file: TextLines, drift: Int, path: String) throws(ApplyError) -> [Line] {
        let hunk = placement.hunk
        let start = placement.start
        let end = start + hunk.old.count
        let terminator = lineBreak(for: placement, in: file)
        var lines: [Line] = []
        var index = start
        var added = 0
        var shift = placement.shift
        if placement.level == .looseIndentation {
            var probe = start
            for line in hunk.lines where line.kind != .added {
                if let local = localShift(file.text(probe), line.text) {
                    shift = local
                    break
                }
                probe += 1
            }
        }
        for line in hunk.lines {
            if placement.level == .looseIndentation, line.kind != .added, let local = localShift(file.text(index), line.text) {
                // No common shift at this level: an added line moves as the old line above it does.
                shift = local
            }
            switch line.kind {
            case .context:
                lines.append((Array(file.text(index)), Array(file.terminator(index))))
                index += 1
            case .removed:
                index += 1
            case .added:
                added += 1
                guard let moved = shift.apply(to: line.text) else {
                    let place = BlockMatcher.Candidate(start: start + drift, shift: shift)
                    throw MatchFailure.unshiftable(
                        hunk.label,
                        path: path,
                        at: place,
                        level: placement.level ?? .exact,
                        line: "its added line \(added)"
                    )
                }
                lines.append((moved, terminator))
            }
        }
        // A line that was last in the file and unterminated may now have lines after it.
        for position in lines.indices.dropLast() where lines[position].terminator.isEmpty { lines[position].terminator = terminator }
        let reachesEnd = end == file.count
        if reachesEnd, !lines.isEmpty {
            if hunk.newLacksFinalNewline {
                lines[lines.count - 1].terminator = []
            } else if hunk.oldLacksFinalNewline || hunk.old.isEmpty {
                lines[lines.count - 1].terminator = terminator
            } else {
                // The diff says nothing about the end of the file: it keeps its final line break, or its lack of one.
                lines[lines.count - 1].terminator = Array(file.terminator(end - 1))
            }
        }
        return lines
    }

    /// How a file line's indentation differs from the hunk line it matched, when the hunk line has text and
    /// one prefix tells them apart.
    private static func localShift(_ fileLine: ArraySlice<UInt8>, _ hunkLine: [UInt8]) -> IndentShift? {
        guard !hunkLine.allSatisfy(LineKey.isSpace) else { return nil }
        return IndentShift(file: LineKey(splitting: fileLine).indent, search: LineKey(splitting: hunkLine[...]).indent)
    }

    /// The line break for added lines: that of the lines the hunk replaces, else the file's, else the hunk's.
    private static func lineBreak(for placement: HunkPlacement, in file: TextLines) -> [UInt8] {
        guard file.count > 0 else { return placement.hunk.newFileTerminator }
        let start = min(placement.start, file.count - 1)
        return file.terminator(near: start..<max(start + 1, placement.start + placement.hunk.old.count))
    }
}
