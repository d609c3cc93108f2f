import CPCRE2

/// A PCRE2 match context with GhostRunner's limits and its own JIT stack, for one substitution.
///
/// The limits make a catastrophic pattern fail with ``Reason/regexLimit`` instead of hanging: the match
/// limit bounds backtracking (JIT and interpreter alike), the heap limit the interpreter's frames, and the
/// JIT stack the JIT's recursion.
final class MatchContext {
    /// The context handed to `pcre2_match`, `pcre2_jit_match` and `pcre2_substitute`.
    let pointer: OpaquePointer
    private let stack: OpaquePointer?

    init() throws(ApplyError) {
        guard let context = pcre2_match_context_create_8(nil) else { throw ApplyError(.ioError, "out of memory") }
        pcre2_set_match_limit_8(context, CompiledPattern.matchLimit)
        pcre2_set_heap_limit_8(context, CompiledPattern.heapLimitKiB)
        stack = pcre2_jit_stack_create_8(32 * 1024, CompiledPattern.jitStackBytes, nil)
        if let stack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(stack)) }
        pointer = context
    }

    deinit {
        pcre2_match_context_free_8(pointer)
        if let stack { pcre2_jit_stack_free_8(stack) }
    }
}
