import Synchronization

/// The wall-clock time one patch may spend matching regular expressions, shared by all of its operations
/// (`limits.regex_ms`, ``PatchLimits/regexMilliseconds``).
///
/// PCRE2's match limit bounds the backtracking of one match attempt; a pattern that backtracks a little
/// less than that at every position of a large file could still hold a queue for minutes. The budget
/// bounds the sum: ``CompiledPattern`` charges the time each substitution takes and stops, with
/// ``Reason/regexLimit``, once the patch has used it up. Create one per patch (``ApplyContext`` does).
public final class RegexBudget: Sendable {
    /// The whole budget, in milliseconds.
    public let milliseconds: Int
    private let spent = Mutex<Duration>(.zero)

    /// A budget of `milliseconds` of matching.
    public init(milliseconds: Int) { self.milliseconds = max(0, milliseconds) }

    /// The time still available.
    package var remaining: Duration {
        let left = Duration.milliseconds(milliseconds) - spent.withLock { $0 }
        return left > .zero ? left : .zero
    }

    /// Records time spent matching.
    package func charge(_ duration: Duration) {
        spent.withLock { $0 += duration }
    }

    /// The error of a patch whose matching ran past the budget.
    package var exhausted: ApplyError {
        ApplyError(
            .regexLimit,
            "regex matching ran past this patch's budget of \(milliseconds) ms (limits.regex_ms); the patch was stopped and nothing was written"
        )
    }
}
