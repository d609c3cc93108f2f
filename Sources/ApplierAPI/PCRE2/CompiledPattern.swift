import CPCRE2

/// A PCRE2 pattern compiled in UTF mode and JIT-compiled, ready to substitute in any number of subjects.
///
/// The compiled code is immutable after construction and PCRE2 allows one code object to be used by
/// many threads at once (each call makes its own match data and JIT stack), hence `@unchecked Sendable`.
public final class CompiledPattern: @unchecked Sendable {
    /// The pattern's source text.
    public let pattern: String
    /// The options it was compiled with.
    public let options: PatternOptions
    /// True when the JIT compiler accepted the pattern (it always should on supported CPUs).
    public let isJITCompiled: Bool
    private let code: OpaquePointer
    /// Whether the pattern's newline convention (`(*CRLF)`, `(*ANY)`, ...) makes CR LF one newline, which an
    /// empty match never splits.
    private let crlfIsOneNewline: Bool
    /// Whether PCRE2's bumpalong steps over the LF of a CR LF pair (a CRLF-like newline convention and no
    /// explicit CR or LF in the pattern).
    private let bumpalongSkipsLFAfterCR: Bool
    /// Whether a search may be cut into windows of start positions without changing what it finds: not for a
    /// pattern with `\G`, `(*COMMIT)`, `(*SKIP)` or `(*NOTEMPTY...)`, whose outcome depends on where a search
    /// started. Those are searched whole, after a windowed dry run has shown the search fits in the budget.
    private let windowedSearchIsExact: Bool

    /// The most backtracking steps one match attempt may take: PCRE2's own default, which is
    /// generous for real code and stops a catastrophic pattern such as `(a+)+$` within milliseconds.
    public static let matchLimit: UInt32 = 10_000_000
    /// The most heap (KiB) the interpreter may use for backtracking, should the JIT be unavailable.
    public static let heapLimitKiB: UInt32 = 64 * 1024
    /// The largest JIT stack a match may grow.
    public static let jitStackBytes = 8 << 20

    /// Compiles and JIT-compiles a pattern.
    /// - Throws: ``Reason/regexError`` with PCRE2's message and the offset of the error.
    public init(_ pattern: String, options: PatternOptions = PatternOptions()) throws(ApplyError) {
        var flags = UInt32(PCRE2_UTF) | UInt32(PCRE2_USE_OFFSET_LIMIT)
        if options.caseless { flags |= UInt32(PCRE2_CASELESS) }
        if options.multiline { flags |= UInt32(PCRE2_MULTILINE) }
        if options.dotAll { flags |= UInt32(PCRE2_DOTALL) }
        if options.extended { flags |= UInt32(PCRE2_EXTENDED) }
        if options.unicodeProperties { flags |= UInt32(PCRE2_UCP) }
        var errorCode: Int32 = 0
        var errorOffset = 0
        let bytes = Array(pattern.utf8)
        let compiled = Self.nonEmpty(bytes).withUnsafeBufferPointer { buffer in
            pcre2_compile_8(buffer.baseAddress, bytes.count, flags, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw ApplyError(.regexError, "pattern does not compile at offset \(errorOffset): \(Self.message(for: errorCode))")
        }
        self.code = compiled
        self.pattern = pattern
        self.options = options
        self.isJITCompiled = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
        var newline: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NEWLINE), &newline)
        self.crlfIsOneNewline = newline != UInt32(PCRE2_NEWLINE_CR) && newline != UInt32(PCRE2_NEWLINE_LF)
        var hasCROrLF: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_HASCRORLF), &hasCROrLF)
        let crlfNewlines = [PCRE2_NEWLINE_CRLF, PCRE2_NEWLINE_ANY, PCRE2_NEWLINE_ANYCRLF].map { UInt32($0) }
        self.bumpalongSkipsLFAfterCR = crlfNewlines.contains(newline) && hasCROrLF == 0
        self.windowedSearchIsExact = !["\\G", "(*COMMIT", "(*SKIP", "(*NOTEMPTY"].contains { pattern.contains($0) }
    }

    deinit { pcre2_code_free_8(code) }

    /// The number of capture groups in the pattern.
    public var captureCount: Int {
        var count: UInt32 = 0
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        return Int(count)
    }

    /// The names of the pattern's named groups.
    public var groupNames: Set<String> {
        var count: UInt32 = 0
        var entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>?
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMECOUNT), &count)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMETABLE), &table)
        guard let table, count > 0 else { return [] }
        var names: Set<String> = []
        for entry in 0..<Int(count) {
            // Each entry: two bytes of group number, then the NUL-terminated name.
            let start = table + entry * Int(entrySize) + 2
            names.insert(String(cString: start))
        }
        return names
    }

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
    private struct Limits {
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
                if result == PCRE2_ERROR_MATCHLIMIT && windowed && window > 0 {
                    // The lowered limit of a wide window: the same start again, fewer positions, more steps each.
                    window /= 32
                    continue
                }
                if result == PCRE2_ERROR_MATCHLIMIT && budgetLimited, let (budget, _) = limits.budget { throw budget.exhausted }
                guard result == PCRE2_ERROR_NOMATCH else { throw context.error(result) }
                if windowed && searchStart + window < length {
                    // Nothing starts in this window: the next begins at the next character (PCRE2 skips the LF
                    // of a CR LF pair where it does).
                    var next = searchStart + window + 1
                    while next < length && subject[next] & 0xC0 == 0x80 { next += 1 }
                    if bumpalongSkipsLFAfterCR && next < length && subject[next - 1] == 0x0D && subject[next] == 0x0A { next += 1 }
                    searchStart = next
                    if quickCall { window = min(Self.maximumWindow, window * 2 + 1) }
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

    /// The same substitution done by `pcre2_substitute` alone: the reference that the faster loop of
    /// ``substitute(in:replacement:extendedSyntax:outputLimit:budget:)`` is checked against, by the tests and
    /// the fuzz target. Its output buffer is at most `outputLimit` bytes; it has no time budget.
    /// - Throws: As ``substitute(in:replacement:extendedSyntax:outputLimit:budget:)``.
    public func substituteWithPCRE2(
        in subject: [UInt8],
        replacement: [UInt8],
        extendedSyntax: Bool,
        outputLimit: Int = .max
    ) throws(ApplyError) -> Substitution {
        try Self.requireUTF8(subject, what: "the target file")
        try Self.requireUTF8(replacement, what: "the replacement")
        return try MatchContext.withContext { context throws(ApplyError) in
            try substituteWithPCRE2(subject, replacement: replacement, extendedSyntax: extendedSyntax, context: context, outputLimit: outputLimit)
        }
    }

    /// `pcre2_substitute` itself, for extended syntax; the subject is already known to be valid UTF-8.
    private func substituteWithPCRE2(
        _ subject: [UInt8],
        replacement: [UInt8],
        extendedSyntax: Bool,
        context: MatchContext,
        outputLimit: Int
    ) throws(ApplyError) -> Substitution {
        let bounded = outputLimit < Int.max - 1
        var options = UInt32(PCRE2_SUBSTITUTE_GLOBAL) | UInt32(PCRE2_SUBSTITUTE_UNSET_EMPTY) | UInt32(PCRE2_NO_UTF_CHECK)
        if extendedSyntax { options |= UInt32(PCRE2_SUBSTITUTE_EXTENDED) }
        // Unbounded, PCRE2 reports the exact size needed when the first buffer is too small. Bounded, it must
        // not: it would go on to "copy" every replacement of the whole result (gigabytes of work) just to count
        // them. It stops at the first overflow instead, and the second try has the whole limit.
        if !bounded { options |= UInt32(PCRE2_SUBSTITUTE_OVERFLOW_LENGTH) }
        context.setLimits(match: Self.matchLimit, offset: MatchContext.unset)
        // Room for moderate growth first, never more than the limit (and the terminating NUL PCRE2 writes).
        let largest = bounded ? outputLimit + 1 : Int.max
        var capacity = min(subject.count + subject.count / 4 + 4096, largest)
        for _ in 0..<2 {
            var length = capacity
            var result: Int32 = 0
            let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                result = Self.nonEmpty(subject).withUnsafeBufferPointer { subjectBuffer in
                    Self.nonEmpty(replacement).withUnsafeBufferPointer { replacementBuffer in
                        pcre2_substitute_8(
                            code,
                            subjectBuffer.baseAddress,
                            subject.count,
                            0,
                            options,
                            nil,
                            context.pointer,
                            replacementBuffer.baseAddress,
                            replacement.count,
                            buffer.baseAddress,
                            &length
                        )
                    }
                }
                initialized = result >= 0 ? length : 0
            }
            if result >= 0 { return Substitution(output: output, count: Int(result)) }
            if result == PCRE2_ERROR_NOMEMORY && bounded {
                guard capacity < largest else { throw Self.outputTooLarge(outputLimit) }
                capacity = largest
                continue
            }
            if result == PCRE2_ERROR_NOMEMORY && length > capacity {
                capacity = length
                continue
            }
            throw context.error(result)
        }
        throw ApplyError(.ioError, "substitution output kept growing")
    }

    /// Fails with ``Reason/notUTF8``, naming the offset, unless `bytes` are valid UTF-8.
    static func requireUTF8(_ bytes: [UInt8], what: String) throws(ApplyError) {
        if let offset = bytes.withUnsafeBufferPointer({ UTF8Validator.firstInvalidOffset(in: $0) }) {
            throw ApplyError(.notUTF8, "\(what) is not valid UTF-8 (invalid byte 0x\(String(bytes[offset], radix: 16)) at offset \(offset))")
        }
    }

    /// True when the pattern matches somewhere in `subject`.
    /// - Throws: ``Reason/regexLimit`` or ``Reason/notUTF8`` as ``substitute(in:replacement:extendedSyntax:)`` does.
    public func matches(_ subject: [UInt8]) throws(ApplyError) -> Bool {
        guard let matchData = pcre2_match_data_create_from_pattern_8(code, nil) else { throw ApplyError(.ioError, "out of memory") }
        defer { pcre2_match_data_free_8(matchData) }
        let result = Self.nonEmpty(subject).withUnsafeBufferPointer { buffer in
            pcre2_match_8(code, buffer.baseAddress, subject.count, 0, 0, matchData, nil)
        }
        if result >= 0 { return true }
        if result == PCRE2_ERROR_NOMATCH { return false }
        throw Self.matchError(result)
    }

    /// Maps a negative PCRE2 match or substitution status to a GhostRunner error.
    static func matchError(_ code: Int32) -> ApplyError {
        let text = message(for: code)
        switch code {
        case PCRE2_ERROR_MATCHLIMIT, PCRE2_ERROR_DEPTHLIMIT, PCRE2_ERROR_HEAPLIMIT, PCRE2_ERROR_JIT_STACKLIMIT:
            return ApplyError(.regexLimit, "the pattern backtracks too much (\(text)); make it more specific")
        case PCRE2_ERROR_UTF8_ERR21...PCRE2_ERROR_UTF8_ERR1:
            return ApplyError(.notUTF8, "the target file is not valid UTF-8 (\(text))")
        default:
            return ApplyError(.invalidPatch, "replacement rejected by PCRE2: \(text)")
        }
    }

    /// PCRE2's text for an error code.
    static func message(for code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = pcre2_get_error_message_8(code, &buffer, buffer.count)
        return length > 0 ? String(decoding: buffer.prefix(Int(length)), as: UTF8.self) : "PCRE2 error \(code)"
    }

    /// PCRE2 10.42 rejects a NULL pointer even with length 0: give empty inputs one byte of storage.
    private static func nonEmpty(_ bytes: [UInt8]) -> [UInt8] { bytes.isEmpty ? [0] : bytes }
}
