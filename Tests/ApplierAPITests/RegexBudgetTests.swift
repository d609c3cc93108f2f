@_spi(PCRE2Reference) import ApplierAPI
import Foundation
import Testing

/// Attacks on the regex substitution: output that would outgrow the file limit, and matching that would
/// hold the queue. Each is sent and must stop with its reason code, quickly.
@Suite struct RegexBudgetTests {
    static let fileLimit = PatchLimits.default.maxFileBytes

    /// The reason a substitution failed with, or `nil` if it succeeded.
    static func failure(_ body: () throws(ApplyError) -> Substitution) -> ApplyError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    /// `(a+)+b` backtracks exponentially in each run of a's; the `b` at the end keeps PCRE2 from giving up early.
    static let backtrackingSubject = Array((String(repeating: "aaaaaaaaaaaaaaaaaaaaaa!", count: 2_000) + "b").utf8)

    @Test(.timeLimit(.minutes(1)), arguments: [false, true])
    func aReplacementThatWouldGrowToGigabytesStopsAtTheFileLimit(extended: Bool) throws {
        // The attack seen: pattern `a`, 3,000 a's, a 1 MiB replacement: 3 GB of output before.
        let compiled = try CompiledPattern("a")
        let subject = [UInt8](repeating: 0x61, count: 3_000)
        let replacement = [UInt8](repeating: 0x62, count: 1 << 20)
        let error = Self.failure { () throws(ApplyError) in
            try compiled.substitute(in: subject, replacement: replacement, extendedSyntax: extended, outputLimit: Self.fileLimit)
        }
        #expect(error?.reason == .limitExceeded)
        #expect(error?.message.contains("\(Self.fileLimit) bytes") == true)
        let reference = Self.failure { () throws(ApplyError) in
            try compiled.substituteWithPCRE2(in: subject, replacement: replacement, extendedSyntax: extended, outputLimit: Self.fileLimit)
        }
        #expect(reference?.reason == .limitExceeded)
    }

    @Test(arguments: [false, true])
    func anOutputOfExactlyTheLimitIsAllowedAndOneByteMoreIsNot(extended: Bool) throws {
        let compiled = try CompiledPattern("b")
        let subject = Array("abcabc".utf8)
        let replacement = Array("xyz".utf8)  // 6 bytes become 10
        let fits = try compiled.substitute(in: subject, replacement: replacement, extendedSyntax: extended, outputLimit: 10)
        #expect(fits.output == Array("axyzcaxyzc".utf8))
        let reference = try compiled.substituteWithPCRE2(in: subject, replacement: replacement, extendedSyntax: extended, outputLimit: 10)
        #expect(reference.output == fits.output)
        let over = Self.failure { () throws(ApplyError) in
            try compiled.substitute(in: subject, replacement: replacement, extendedSyntax: extended, outputLimit: 9)
        }
        #expect(over?.reason == .limitExceeded)
        let referenceOver = Self.failure { () throws(ApplyError) in
            try compiled.substituteWithPCRE2(in: subject, replacement: replacement, extendedSyntax: extended, outputLimit: 9)
        }
        #expect(referenceOver?.reason == .limitExceeded)
        // The part after the last match counts too.
        #expect(
            Self.failure { () throws(ApplyError) in
                try compiled.substitute(in: Array("bxxxxx".utf8), replacement: [], extendedSyntax: extended, outputLimit: 4)
            }?.reason == .limitExceeded
        )
    }

    @Test(.timeLimit(.minutes(1)), arguments: [false, true])
    func catastrophicBacktrackingOverAWholeFileStopsWithinThePatchBudget(extended: Bool) throws {
        // Each run of a's stays under the per-match limit; the sum would take minutes.
        let compiled = try CompiledPattern("(a+)+b")
        let budget = RegexBudget(milliseconds: 200)
        let error = Self.failure { () throws(ApplyError) in
            try compiled.substitute(
                in: Self.backtrackingSubject,
                replacement: Array(extended ? "\\U$1".utf8 : "<$1>".utf8),
                extendedSyntax: extended,
                outputLimit: Self.fileLimit,
                budget: budget
            )
        }
        #expect(error?.reason == .regexLimit)
        #expect(error?.message.contains("budget of 200 ms") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("the patch was stopped") == true)
        #expect(budget.remaining < .milliseconds(200))
    }

    /// `\G`, `(*COMMIT)` and `(*SKIP)` keep the search from being cut into windows: a dry run in windows
    /// bounds it instead, and the substitution itself is still PCRE2's.
    @Test(.timeLimit(.minutes(1)), arguments: ["\\Gx|(a+)+b", "(a+)+b|q(*COMMIT)z", "(a+)+b|(*SKIP)z"])
    func aPatternThatCannotBeWindowedIsBoundedToo(pattern: String) throws {
        let compiled = try CompiledPattern(pattern)
        let budget = RegexBudget(milliseconds: 200)
        let error = Self.failure { () throws(ApplyError) in
            try compiled.substitute(in: Self.backtrackingSubject, replacement: Array("x".utf8), extendedSyntax: false, budget: budget)
        }
        #expect(error?.reason == .regexLimit, "\(error?.message ?? "no error")")
        let small = Array("xx aab aaab".utf8)
        let bounded = try compiled.substitute(
            in: small,
            replacement: Array("<$0>".utf8),
            extendedSyntax: false,
            budget: RegexBudget(milliseconds: 60_000)
        )
        #expect(bounded.output == (try compiled.substituteWithPCRE2(in: small, replacement: Array("<$0>".utf8), extendedSyntax: false)).output)
    }

    @Test func theBudgetIsThePatchsNotEachSubstitutions() throws {
        let compiled = try CompiledPattern("a")
        let budget = RegexBudget(milliseconds: 200)
        // An earlier operation of the same patch used it all: even a trivial substitution now stops.
        budget.charge(.milliseconds(200))
        let error = Self.failure { () throws(ApplyError) in
            try compiled.substitute(in: Array("banana".utf8), replacement: Array("o".utf8), extendedSyntax: false, budget: budget)
        }
        #expect(error?.reason == .regexLimit)
        // Time spent is charged: a substitution with budget left succeeds and leaves less.
        let fresh = RegexBudget(milliseconds: 10_000)
        let result = try compiled.substitute(in: Array("banana".utf8), replacement: Array("o".utf8), extendedSyntax: false, budget: fresh)
        #expect(result.output == Array("bonono".utf8))
        #expect(fresh.remaining < .milliseconds(10_000))
    }

    @Test func aSingleCatastrophicMatchStillFailsWithTheMatchLimit() throws {
        let compiled = try CompiledPattern("(a+)+$")
        let subject = Array((String(repeating: "a", count: 40) + "!").utf8)
        let error = Self.failure { () throws(ApplyError) in
            try compiled.substitute(in: subject, replacement: [], extendedSyntax: false, budget: RegexBudget(milliseconds: 60_000))
        }
        #expect(error?.reason == .regexLimit)
        #expect(error?.message.contains("backtracks too much") == true)
    }

    @Test func aContextCarriesTheLimitsAndOneBudgetForThePatch() throws {
        let patch = Patch(id: "p", role: "ui_patch", shape: .single, targetFile: "f", description: nil, envelope: [:], operations: [])
        let limits = PatchLimits(maxFileBytes: 1234, regexMilliseconds: 300)
        let context = ApplyContext(patch: patch, workspace: "/w", limits: limits)
        #expect(context.limits.maxFileBytes == 1234)
        #expect(context.regexBudget.milliseconds == 300)
        let copy = context
        copy.regexBudget.charge(.milliseconds(300))
        #expect(context.regexBudget.remaining == .zero)
        #expect(PatchLimits.default.maxFileBytes == 64 << 20)
        #expect(PatchLimits.default.regexMilliseconds == 2000)
    }

    /// A possessive scan to the end of the file at every start position costs the whole file each time but
    /// barely counts toward PCRE2's match limit: only the clock bounds it. (Unbounded, this 2 MB file took 85 s.)
    @Test(.timeLimit(.minutes(1)), arguments: [false, true])
    func aScanToTheEndAtEveryPositionStopsAtTheBudget(extended: Bool) throws {
        let compiled = try CompiledPattern(#"(?=[\s\S]*+\z(?<=\d))"#)
        let subject = [UInt8](repeating: 0x61, count: 2_000_000)
        let budget = RegexBudget(milliseconds: 200)
        let clock = ContinuousClock()
        let started = clock.now
        let error = Self.failure { () throws(ApplyError) in
            try compiled.substitute(in: subject, replacement: Array("x".utf8), extendedSyntax: extended, budget: budget)
        }
        #expect(error?.reason == .regexLimit)
        // Far above the 200 ms budget: only a budget that is not enforced gets near it.
        #expect(clock.now - started < .seconds(20))
    }
}
