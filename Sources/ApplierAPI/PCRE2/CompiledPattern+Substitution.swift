import CPCRE2

/// Global substitution: the JIT loop with a pre-parsed replacement, bounded in output size and in time.
extension CompiledPattern {
    /// Replaces every match in `subject`.
    ///
    /// The subject is checked for valid UTF-8 once, up front. A replacement in plain syntax is then applied
    /// by ``ReplacementTemplate`` over a loop of JIT matches, with exactly `pcre2_substitute`'s semantics
    /// (global, empty matches, unset groups as empty) and several times its speed on files with many
    /// matches; extended syntax, and the few references a template does not cover, go to `pcre2_substitute`.
    ///
    /// Both paths are bounded. The output never grows past `outputLimit`: the loop checks each match's
    /// share before appending it, and `pcre2_substitute` gets a buffer of at most `outputLimit` bytes.
    /// With a `budget`, matching stops once the budget is spent: the loop checks the clock between calls,
    /// each call tries a window of start positions with a match limit that keeps the call short, and a
    /// single start position gets no more steps than the time left can pay for. For `pcre2_substitute`,
    /// which cannot be stopped part way, and for a pattern whose search may not be cut into windows (`\G`,
    /// `(*COMMIT)`, `(*SKIP)`, `(*NOTEMPTY...)`), the windowed loop first runs as a dry run within a third of
    /// what is left. Peak memory of one substitution: the subject plus an output buffer of at most `outputLimit`
    /// bytes (two while the buffer grows), so at most 3 x `outputLimit` with a subject of that size.
    /// - Parameters:
    ///   - subject: UTF-8 text.
    ///   - replacement: The replacement in PCRE2 syntax (`$1`, `${name}`, `$$`).
    ///   - extendedSyntax: Also interpret backslash escapes and `\U`, `\L`, `\u`, `\l`, `\E` case conversion.
    ///   - outputLimit: The largest result allowed, in bytes (the file size limit).
    ///   - budget: The patch's matching time, charged with the time this substitution takes; `nil`: unbounded.
    /// - Throws: ``Reason/notUTF8`` for an invalid subject, ``Reason/regexLimit`` when a match hits a limit or
    ///   the budget runs out, ``Reason/limitExceeded`` when the result would be larger than `outputLimit`,
    ///   ``Reason/invalidPatch`` for a replacement PCRE2 rejects (an unknown group, say).
    public func substitute(
        in subject: [UInt8],
        replacement: [UInt8],
        extendedSyntax: Bool,
        outputLimit: Int = .max,
        budget: RegexBudget? = nil
    ) throws(ApplyError) -> Substitution {
        try Self.requireUTF8(subject, what: "the target file")
        try Self.requireUTF8(replacement, what: "the replacement")
        let template = extendedSyntax ? nil : replacement.withUnsafeBufferPointer { ReplacementTemplate($0, for: code) }
        let clock = ContinuousClock()
        let started = clock.now
        let limits = Limits(output: outputLimit, budget: budget.map { ($0, started + $0.remaining) })
        defer { budget?.charge(started.duration(to: clock.now)) }
        return try MatchContext.withContext { context throws(ApplyError) in
            try Self.nonEmpty(subject).withUnsafeBufferPointer { buffer throws(ApplyError) in
                let subjectBuffer = UnsafeBufferPointer(rebasing: buffer[0..<subject.count])
                if let (budget, deadline) = limits.budget, template == nil || !windowedSearchIsExact {
                    // Matching that cannot be stopped part way (pcre2_substitute, or a search that may not be cut
                    // into windows) is done first in windows, stoppably, in a third of the time left, so that the
                    // real matching (twice at most, when pcre2_substitute's first buffer is too small) fits in the
                    // rest. For a pattern whose matches windows could change, only the time counts: errors other
                    // than regex_limit are left to the real search.
                    var dryRun = Limits(output: .max, budget: (budget, started + started.duration(to: deadline) / 3))
                    dryRun.forceWindows = true
                    do throws(ApplyError) {
                        _ = try substitute(in: subjectBuffer, template: nil, context: context, limits: dryRun)
                    } catch {
                        if error.reason == .regexLimit || windowedSearchIsExact { throw error }
                    }
                }
                guard let template else {
                    return try substituteWithPCRE2(
                        subject,
                        replacement: replacement,
                        extendedSyntax: extendedSyntax,
                        context: context,
                        outputLimit: outputLimit
                    )
                }
                return try substitute(in: subjectBuffer, template: template, context: context, limits: limits)
            }
        }
    }

    /// The bounds of one substitution: its output size and, with a budget, the instant matching must stop.
    struct Limits {
        var output: Int
        var budget: (budget: RegexBudget, deadline: ContinuousClock.Instant)?
        /// Search in windows even where that could change the matches (a dry run that only measures time).
        var forceWindows = false
    }

    /// The most backtracking steps one call of a windowed search may take over all of its start positions
    /// (about 10 ms with the JIT).
    static let stepsPerCall: UInt32 = 4_000_000
    /// A call that takes this long (a coarse clock's tick or two) is slow: the window shrinks.
    static let slowCallMilliseconds: Int64 = 5
    /// The widest window of start positions: a search begins with one position, doubles the window while
    /// calls come back quickly and find nothing, and shrinks it when a call is slow or hits its lowered
    /// match limit.
    static let maximumWindow = 4095
    /// The least match limit any call gets.
    static let minimumMatchLimit: UInt32 = 1000
    /// A cautious estimate of backtracking steps per millisecond (the JIT does about 400,000, the
    /// interpreter about 70,000): a single start position gets no more steps than the time left pays for.
    static let stepsPerMillisecond = 100_000

    /// The global substitution loop of `pcre2_substitute` (PCRE2 10.42), with the replacement pre-parsed;
    /// without a template, only the matches are found (and counted).
    private func substitute(
        in subject: UnsafeBufferPointer<UInt8>,
        template: ReplacementTemplate?,
        context: MatchContext,
        limits: Limits
    ) throws(ApplyError) -> Substitution {
        guard let matchData = pcre2_match_data_create_from_pattern_8(code, nil) else { throw ApplyError(.ioError, "out of memory") }
        defer { pcre2_match_data_free_8(matchData) }
        defer { context.setLimits(match: Self.matchLimit, offset: MatchContext.unset) }
        let literals = template?.literals ?? []
        return try literals.withUnsafeBufferPointer { literals throws(ApplyError) in
            try substitute(
                in: subject,
                pieces: template?.pieces ?? [],
                literals: literals,
                collect: template != nil,
                matchData: matchData,
                context: context,
                limits: limits
            )
        }
    }

    // Written without closures that capture `output`, so that every access to it is checked statically:
    // dynamic exclusivity checks cost a tenth of the time on a file with a million matches.
    //
    // The search is cut into windows of start positions (PCRE2's offset limit) when that cannot change the
    // outcome, so that no single call runs long: a window that finds nothing is followed by the next one,
    // exactly where PCRE2's own bumpalong would have gone.
    private func substitute(
        in subject: UnsafeBufferPointer<UInt8>,
        pieces: [ReplacementTemplate.Piece],
        literals: UnsafeBufferPointer<UInt8>,
        collect: Bool,
        matchData: OpaquePointer,
        context: MatchContext,
        limits: Limits
    ) throws(ApplyError) -> Substitution {
        let ovector = pcre2_get_ovector_pointer_8(matchData)!
        let length = subject.count
        let unset = MatchContext.unset
        let outputLimit = limits.output
        var output: [UInt8] = []
        if collect { output.reserveCapacity(min(length + length / 8 + 64, outputLimit)) }
        var start = 0
        // Where the next search begins: `start`, or past windows in which nothing started.
        var searchStart = 0
        // The window's width after its first start position; -1: the search is not windowed.
        var window = windowedSearchIsExact || limits.forceWindows ? 0 : -1
        var count = 0
        let clock = ContinuousClock()
        // Taken out of `limits` once: binding the budget object in the loop would retain and release it per match.
        let deadline = limits.budget?.deadline
        let deadlineMilliseconds = deadline.map { deadline -> Int64 in
            let left = clock.now.duration(to: deadline).components
            return CoarseClock.milliseconds() + min(left.seconds, 1_000_000_000) * 1000 + left.attoseconds / 1_000_000_000_000_000
        }
        var quickCall = true
        // The match limit of the current window width, computed when the width changes.
        var limitWindow = Int.min
        var windowMatchLimit = Self.matchLimit
        // After an empty match, the next attempt at the same place must be non-empty and anchored there.
        var retryOptions: UInt32 = 0
        var previous = (start: unset, end: unset, from: unset)
        while true {
            let windowed = window >= 0 && retryOptions == 0
            // Every call is timed on a coarse clock: a pattern whose every start position scans the rest of
            // the file barely counts toward the match limit, so time is what bounds it. A slow call shrinks the
            // window of start positions; a quick one that finds nothing lets it grow.
            let callStarted = deadlineMilliseconds == nil ? 0 : CoarseClock.milliseconds()
            if let deadlineMilliseconds, callStarted >= deadlineMilliseconds, let budget = limits.budget?.budget {
                throw budget.exhausted
            }
            var matchLimit = Self.matchLimit
            var budgetLimited = false
            if windowed && window > 0 {
                if window != limitWindow {
                    limitWindow = window
                    windowMatchLimit = max(Self.minimumMatchLimit, Self.stepsPerCall / UInt32(window + 1))
                }
                matchLimit = windowMatchLimit
            } else if let deadline {
                let left = clock.now.duration(to: deadline).components
                let milliseconds = min(Int(left.seconds), 1_000_000) * 1000 + Int(left.attoseconds / 1_000_000_000_000_000)
                let affordable = UInt32(clamping: max(Int(Self.minimumMatchLimit), milliseconds * Self.stepsPerMillisecond))
                if affordable < matchLimit {
                    matchLimit = affordable
                    budgetLimited = true
                }
            }
            context.setLimits(match: matchLimit, offset: windowed ? searchStart + window : unset)
            let options = UInt32(PCRE2_NO_UTF_CHECK) | retryOptions
            let offset = retryOptions == 0 ? searchStart : start
            // The window this call searches: a slow call shrinks `window` for the next one only.
            let searched = window
            // pcre2_match takes the JIT path itself unless the options rule it out (PCRE2_ANCHORED does);
            // calling the JIT directly skips its per-call checks.
            let result =
                isJITCompiled && retryOptions == 0
                ? pcre2_jit_match_8(code, subject.baseAddress, length, offset, options, matchData, context.pointer)
                : pcre2_match_8(code, subject.baseAddress, length, offset, options, matchData, context.pointer)
            if deadlineMilliseconds != nil {
                quickCall = CoarseClock.milliseconds() - callStarted < Self.slowCallMilliseconds
                if !quickCall && windowed && window > 0 { window /= 16 }
            }
            if result < 0 {
                if result == PCRE2_ERROR_MATCHLIMIT && windowed && searched > 0 {
                    // The lowered limit of a wide window: the same start again, fewer positions, more steps each.
                    window = min(window, searched / 32)
                    continue
                }
                if result == PCRE2_ERROR_MATCHLIMIT && budgetLimited, let (budget, _) = limits.budget { throw budget.exhausted }
                guard result == PCRE2_ERROR_NOMATCH else { throw context.error(result) }
                if windowed && searchStart + searched < length {
                    // Nothing starts in this window: the next begins at the next character (PCRE2 skips the LF
                    // of a CR LF pair where it does).
                    var next = searchStart + searched + 1
                    while next < length && subject[next] & 0xC0 == 0x80 { next += 1 }
                    if bumpalongSkipsLFAfterCR && next < length && subject[next - 1] == 0x0D && subject[next] == 0x0A { next += 1 }
                    searchStart = next
                    if quickCall { window = min(Self.maximumWindow, searched * 2 + 1) }
                    continue
                }
                if retryOptions == 0 || start >= length { break }
                // Advance one character past the empty match (a CRLF pair counts as one where CRLF is a newline).
                let from = start
                start += 1
                if subject[start - 1] == 0x0D && crlfIsOneNewline && start < length && subject[start] == 0x0A {
                    start += 1
                } else {
                    while start < length && subject[start] & 0xC0 == 0x80 { start += 1 }
                }
                if collect {
                    guard start - from <= outputLimit - output.count else { throw Self.outputTooLarge(outputLimit) }
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: subject[from..<start]))
                }
                searchStart = start
                retryOptions = 0
                continue
            }
            let matchStart = ovector[0]
            let matchEnd = ovector[1]
            // \K can end a match before it starts, or start it before the current point: PCRE2 refuses those.
            if matchEnd < matchStart || matchStart < start { throw Self.matchError(PCRE2_ERROR_BADSUBSPATTERN) }
            if previous.start == matchStart && previous.end == matchEnd {
                guard matchStart == matchEnd && previous.from != start else { throw Self.matchError(PCRE2_ERROR_INTERNAL_DUPMATCH) }
                retryOptions = UInt32(PCRE2_NOTEMPTY_ATSTART) | UInt32(PCRE2_ANCHORED)
                previous.from = start
                continue
            }
            count += 1
            if collect {
                // This match's share of the output, checked before anything is appended.
                var needed = matchStart - start
                for piece in pieces {
                    switch piece {
                    case .literal(let range): needed += range.count
                    case .group(let group):
                        guard group < Int(result), ovector[2 * group] != unset else { continue }
                        needed += ovector[2 * group + 1] - ovector[2 * group]
                    }
                }
                guard needed <= outputLimit - output.count else { throw Self.outputTooLarge(outputLimit) }
                if output.count + needed > output.capacity {
                    output.reserveCapacity(min(outputLimit, max(output.capacity * 2, output.count + needed)))
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: subject[start..<matchStart]))
                for piece in pieces {
                    switch piece {
                    case .literal(let range):
                        output.append(contentsOf: UnsafeBufferPointer(rebasing: literals[range]))
                    case .group(let group):
                        guard group < Int(result), ovector[2 * group] != unset else { continue }
                        output.append(contentsOf: UnsafeBufferPointer(rebasing: subject[ovector[2 * group]..<ovector[2 * group + 1]]))
                    }
                }
            }
            previous = (matchStart, matchEnd, start)
            retryOptions = matchStart != matchEnd || matchStart > start ? 0 : UInt32(PCRE2_NOTEMPTY_ATSTART) | UInt32(PCRE2_ANCHORED)
            start = matchEnd
            searchStart = start
        }
        if collect {
            guard length - start <= outputLimit - output.count else { throw Self.outputTooLarge(outputLimit) }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: subject[start..<length]))
        }
        return Substitution(output: output, count: count)
    }

    /// The error of a result that would pass the file size limit.
    static func outputTooLarge(_ limit: Int) -> ApplyError {
        ApplyError(
            .limitExceeded,
            "the result of the substitution would be larger than \(limit) bytes, the file size limit (limits.max_file_bytes); "
                + "the patch was stopped and nothing was written"
        )
    }
}
