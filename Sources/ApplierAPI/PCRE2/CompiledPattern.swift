import CPCRE2

/// A PCRE2 pattern compiled in UTF mode and JIT-compiled, ready to substitute in any number of subjects.
///
/// The compiled code is immutable after construction and PCRE2 allows one code object to be used by
/// many threads at once (each call makes its own match data and JIT stack), hence `@unchecked Sendable`.
public final class CompiledPattern: @unchecked Sendable {
    /// The pattern's source text.
    package let pattern: String
    /// The options it was compiled with.
    package let options: PatternOptions
    /// True when the JIT compiler accepted the pattern (it always should on supported CPUs).
    package let isJITCompiled: Bool
    let code: OpaquePointer
    /// Whether the pattern's newline convention (`(*CRLF)`, `(*ANY)`, ...) makes CR LF one newline, which an
    /// empty match never splits.
    let crlfIsOneNewline: Bool
    /// Whether PCRE2's bumpalong steps over the LF of a CR LF pair (a CRLF-like newline convention and no
    /// explicit CR or LF in the pattern).
    let bumpalongSkipsLFAfterCR: Bool
    /// Whether a search may be cut into windows of start positions without changing what it finds: not for a
    /// pattern with `\G`, `(*COMMIT)`, `(*SKIP)` or `(*NOTEMPTY...)`, whose outcome depends on where a search
    /// started. Those are searched whole, after a windowed dry run has shown the search fits in the budget.
    let windowedSearchIsExact: Bool

    /// The most backtracking steps one match attempt may take: PCRE2's own default, which is
    /// generous for real code and stops a catastrophic pattern such as `(a+)+$` within milliseconds.
    package static let matchLimit: UInt32 = 10_000_000
    /// The most heap (KiB) the interpreter may use for backtracking, should the JIT be unavailable.
    package static let heapLimitKiB: UInt32 = 64 * 1024
    /// The largest JIT stack a match may grow.
    package static let jitStackBytes = 8 << 20

    /// Compiles and JIT-compiles a pattern.
    /// - Throws: ``Reason/regexError`` with PCRE2's message and the offset of the error.
    public init(_ pattern: String, options: PatternOptions = PatternOptions()) throws(ApplyError) {
        var flags = UInt32(PCRE2_UTF) | UInt32(PCRE2_USE_OFFSET_LIMIT)
        if options.caseless { flags |= UInt32(PCRE2_CASELESS) }
        if options.multiline { flags |= UInt32(PCRE2_MULTILINE) }
        if options.dotAll { flags |= UInt32(PCRE2_DOTALL) }
        if options.extended { flags |= UInt32(PCRE2_EXTENDED) }
        if options.unicodeProperties { flags |= UInt32(PCRE2_UCP) }
        if options.dollarEndOnly { flags |= UInt32(PCRE2_DOLLAR_ENDONLY) }
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
    package var captureCount: Int {
        var count: UInt32 = 0
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        return Int(count)
    }

    /// The names of the pattern's named groups.
    package var groupNames: Set<String> {
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

    /// Fails with ``Reason/notUTF8``, naming the offset, unless `bytes` are valid UTF-8.
    static func requireUTF8(_ bytes: [UInt8], what: String) throws(ApplyError) {
        if let offset = bytes.withUnsafeBufferPointer({ UTF8Validator.firstInvalidOffset(in: $0) }) {
            throw ApplyError(.notUTF8, "\(what) is not valid UTF-8 (invalid byte 0x\(String(bytes[offset], radix: 16)) at offset \(offset))")
        }
    }

    /// True when the pattern matches somewhere in `subject`.
    /// - Throws: ``Reason/regexLimit`` or ``Reason/notUTF8`` as ``substitute(in:replacement:extendedSyntax:)`` does.
    package func matches(_ subject: [UInt8]) throws(ApplyError) -> Bool {
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
    static func nonEmpty(_ bytes: [UInt8]) -> [UInt8] { bytes.isEmpty ? [0] : bytes }
}
