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
        var flags = UInt32(PCRE2_UTF)
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
    /// - Parameters:
    ///   - subject: UTF-8 text.
    ///   - replacement: The replacement in PCRE2 syntax (`$1`, `${name}`, `$$`).
    ///   - extendedSyntax: Also interpret backslash escapes and `\U`, `\L`, `\u`, `\l`, `\E` case conversion.
    /// - Throws: ``Reason/notUTF8`` for an invalid subject, ``Reason/regexLimit`` when a match hits a limit,
    ///   ``Reason/invalidPatch`` for a replacement PCRE2 rejects (an unknown group, say).
    public func substitute(in subject: [UInt8], replacement: [UInt8], extendedSyntax: Bool) throws(ApplyError) -> Substitution {
        try Self.requireUTF8(subject, what: "the target file")
        try Self.requireUTF8(replacement, what: "the replacement")
        let template = extendedSyntax ? nil : replacement.withUnsafeBufferPointer { ReplacementTemplate($0, for: code) }
        return try MatchContext.withContext { context throws(ApplyError) in
            guard let template else {
                return try substituteWithPCRE2(subject, replacement: replacement, extendedSyntax: extendedSyntax, context: context)
            }
            return try Self.nonEmpty(subject).withUnsafeBufferPointer { buffer throws(ApplyError) in
                try substitute(in: UnsafeBufferPointer(rebasing: buffer[0..<subject.count]), template: template, context: context)
            }
        }
    }

    /// The global substitution loop of `pcre2_substitute` (PCRE2 10.42), with the replacement pre-parsed.
    private func substitute(
        in subject: UnsafeBufferPointer<UInt8>,
        template: ReplacementTemplate,
        context: MatchContext
    ) throws(ApplyError) -> Substitution {
        guard let matchData = pcre2_match_data_create_from_pattern_8(code, nil) else { throw ApplyError(.ioError, "out of memory") }
        defer { pcre2_match_data_free_8(matchData) }
        return try template.literals.withUnsafeBufferPointer { literals throws(ApplyError) in
            try substitute(in: subject, pieces: template.pieces, literals: literals, matchData: matchData, context: context)
        }
    }

    // Written without closures that capture `output`, so that every access to it is checked statically:
    // dynamic exclusivity checks cost a tenth of the time on a file with a million matches.
    private func substitute(
        in subject: UnsafeBufferPointer<UInt8>,
        pieces: [ReplacementTemplate.Piece],
        literals: UnsafeBufferPointer<UInt8>,
        matchData: OpaquePointer,
        context: MatchContext
    ) throws(ApplyError) -> Substitution {
        let ovector = pcre2_get_ovector_pointer_8(matchData)!
        let length = subject.count
        let unset = Int(bitPattern: UInt.max)  // PCRE2_UNSET is ~(size_t)0
        var output: [UInt8] = []
        output.reserveCapacity(length + length / 8 + 64)
        var start = 0
        var count = 0
        // After an empty match, the next attempt at the same place must be non-empty and anchored there.
        var retryOptions: UInt32 = 0
        var previous = (start: unset, end: unset, from: unset)
        while true {
            let options = UInt32(PCRE2_NO_UTF_CHECK) | retryOptions
            // pcre2_match takes the JIT path itself unless the options rule it out (PCRE2_ANCHORED does);
            // calling the JIT directly skips its per-call checks.
            let result =
                isJITCompiled && retryOptions == 0
                ? pcre2_jit_match_8(code, subject.baseAddress, length, start, options, matchData, context.pointer)
                : pcre2_match_8(code, subject.baseAddress, length, start, options, matchData, context.pointer)
            if result < 0 {
                guard result == PCRE2_ERROR_NOMATCH else { throw context.error(result) }
                if retryOptions == 0 || start >= length { break }
                // Advance one character past the empty match (a CRLF pair counts as one where CRLF is a newline).
                let from = start
                start += 1
                if subject[start - 1] == 0x0D && crlfIsOneNewline && start < length && subject[start] == 0x0A {
                    start += 1
                } else {
                    while start < length && subject[start] & 0xC0 == 0x80 { start += 1 }
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: subject[from..<start]))
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
            previous = (matchStart, matchEnd, start)
            retryOptions = matchStart != matchEnd || matchStart > start ? 0 : UInt32(PCRE2_NOTEMPTY_ATSTART) | UInt32(PCRE2_ANCHORED)
            start = matchEnd
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: subject[start..<length]))
        return Substitution(output: output, count: count)
    }

    /// The same substitution done by `pcre2_substitute` alone: the reference that the faster loop of
    /// ``substitute(in:replacement:extendedSyntax:)`` is checked against, by the tests and the fuzz target.
    /// - Throws: As ``substitute(in:replacement:extendedSyntax:)``.
    public func substituteWithPCRE2(in subject: [UInt8], replacement: [UInt8], extendedSyntax: Bool) throws(ApplyError) -> Substitution {
        try Self.requireUTF8(subject, what: "the target file")
        try Self.requireUTF8(replacement, what: "the replacement")
        return try MatchContext.withContext { context throws(ApplyError) in
            try substituteWithPCRE2(subject, replacement: replacement, extendedSyntax: extendedSyntax, context: context)
        }
    }

    /// `pcre2_substitute` itself, for extended syntax; the subject is already known to be valid UTF-8.
    private func substituteWithPCRE2(
        _ subject: [UInt8],
        replacement: [UInt8],
        extendedSyntax: Bool,
        context: MatchContext
    ) throws(ApplyError) -> Substitution {
        var options =
            UInt32(PCRE2_SUBSTITUTE_GLOBAL) | UInt32(PCRE2_SUBSTITUTE_OVERFLOW_LENGTH) | UInt32(PCRE2_SUBSTITUTE_UNSET_EMPTY)
            | UInt32(PCRE2_NO_UTF_CHECK)
        if extendedSyntax { options |= UInt32(PCRE2_SUBSTITUTE_EXTENDED) }
        // Room for moderate growth first; PCRE2 reports the exact size needed if that is not enough.
        var capacity = subject.count + subject.count / 4 + 4096
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
