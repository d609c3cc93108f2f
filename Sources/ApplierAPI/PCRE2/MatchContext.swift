import CPCRE2

/// A PCRE2 match context with GhostRunner's limits, for one substitution.
///
/// The limits make a catastrophic pattern fail with ``Reason/regexLimit`` instead of hanging: the match
/// limit bounds backtracking (JIT and interpreter alike), the heap limit the interpreter's frames, and the
/// JIT stack the JIT's recursion.
///
/// Most patterns fit in the 32 KiB of machine stack the JIT uses by default. Mapping the large JIT stack
/// costs more than a small patch's whole substitution, so it is made only when a match runs out of the
/// small one: ``CompiledPattern`` then runs the substitution again with `largeJITStack`.
final class MatchContext {
    /// The context handed to `pcre2_match`, `pcre2_jit_match` and `pcre2_substitute`.
    let pointer: OpaquePointer
    /// Whether this context has the large JIT stack (``CompiledPattern/jitStackBytes``).
    let hasLargeJITStack: Bool
    /// Set when a match failed for want of JIT stack.
    var jitStackExhausted = false
    /// The match limit currently set (``CompiledPattern/matchLimit`` unless lowered for a window or a budget).
    private(set) var matchLimit = CompiledPattern.matchLimit
    /// The offset limit currently set (`PCRE2_UNSET`: none).
    private(set) var offsetLimit = MatchContext.unset
    private let stack: OpaquePointer?

    /// PCRE2_UNSET, `~(size_t)0`.
    static let unset = Int(bitPattern: UInt.max)

    /// Sets the match limit and the offset limit (the last offset a match may start at, for a pattern
    /// compiled with `PCRE2_USE_OFFSET_LIMIT`), touching the context only when they change.
    func setLimits(match: UInt32, offset: Int) {
        if match != matchLimit {
            pcre2_set_match_limit_8(pointer, match)
            matchLimit = match
        }
        if offset != offsetLimit {
            pcre2_set_offset_limit_8(pointer, offset)
            offsetLimit = offset
        }
    }

    init(largeJITStack: Bool = false) throws(ApplyError) {
        guard let context = pcre2_match_context_create_8(nil) else { throw ApplyError(.ioError, "out of memory") }
        pcre2_set_match_limit_8(context, CompiledPattern.matchLimit)
        pcre2_set_heap_limit_8(context, CompiledPattern.heapLimitKiB)
        stack = largeJITStack ? pcre2_jit_stack_create_8(32 * 1024, CompiledPattern.jitStackBytes, nil) : nil
        if let stack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(stack)) }
        hasLargeJITStack = stack != nil
        pointer = context
    }

    /// Runs `body` with a context, once more with the large JIT stack if the small one ran out.
    static func withContext<T>(_ body: (MatchContext) throws(ApplyError) -> T) throws(ApplyError) -> T {
        let small = try MatchContext()
        do {
            return try body(small)
        } catch  where small.jitStackExhausted {
            return try body(try MatchContext(largeJITStack: true))
        }
    }

    /// The error for a negative PCRE2 status, noting an exhausted JIT stack for ``withContext(_:)``.
    func error(_ code: Int32) -> ApplyError {
        if code == PCRE2_ERROR_JIT_STACKLIMIT { jitStackExhausted = true }
        return CompiledPattern.matchError(code)
    }

    deinit {
        pcre2_match_context_free_8(pointer)
        if let stack { pcre2_jit_stack_free_8(stack) }
    }
}
