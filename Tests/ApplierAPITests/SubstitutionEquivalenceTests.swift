@_spi(PCRE2Reference) import ApplierAPI
import Testing

/// GhostRunner's substitution loop must give exactly what `pcre2_substitute` gives: same bytes, same count,
/// same error. These tests run both on the edge cases of global substitution and on generated input.
@Suite struct SubstitutionEquivalenceTests {
    struct Case: CustomStringConvertible, Sendable {
        var pattern: String
        var replacement: String
        var subject: String
        var flags = ""
        var description: String { "s/\(pattern)/\(replacement)/\(flags) on \(subject.debugDescription)" }
    }

    enum Outcome: Equatable {
        case output([UInt8], Int)
        case failure(Reason)
    }

    static func outcomes(_ test: Case) throws -> (fast: Outcome, pcre2: Outcome) {
        let compiled = try CompiledPattern(test.pattern, options: try PatternOptions(flags: test.flags))
        let subject = Array(test.subject.utf8)
        let replacement = Array(test.replacement.utf8)
        func run(_ body: () throws(ApplyError) -> Substitution) -> Outcome {
            do {
                let result = try body()
                return .output(result.output, result.count)
            } catch {
                return .failure(error.reason)
            }
        }
        let fast = run { () throws(ApplyError) in try compiled.substitute(in: subject, replacement: replacement, extendedSyntax: false) }
        let pcre2 = run { () throws(ApplyError) in try compiled.substituteWithPCRE2(in: subject, replacement: replacement, extendedSyntax: false) }
        return (fast, pcre2)
    }

    static let edgeCases: [Case] = [
        // Empty matches: between every character, multi-byte characters and CRLF pairs never split.
        Case(pattern: "x*", replacement: "-", subject: "abc"),
        Case(pattern: "x*", replacement: "-", subject: "é✅\r\nz"),
        Case(pattern: "(*CRLF)x*", replacement: "-", subject: "a\r\nb\r\n"),
        Case(pattern: "(*ANYCRLF)(?m)$", replacement: ";", subject: "a\r\nb\rc\n"),
        Case(pattern: "(*ANY)x?", replacement: "|", subject: "\r\n\r\n"),
        Case(pattern: "a|", replacement: "x", subject: "baaac"),
        Case(pattern: "\\b", replacement: "|", subject: "hello world"),
        Case(pattern: "(?=a)", replacement: "^", subject: "banana"),
        Case(pattern: "^", replacement: "> ", subject: "a\nb\nc", flags: "m"),
        Case(pattern: "$", replacement: ";", subject: "a\nb\n", flags: "m"),
        Case(pattern: "(?<=\\G.)", replacement: "-", subject: "abc"),
        Case(pattern: "", replacement: "_", subject: ""),
        Case(pattern: "a", replacement: "b", subject: ""),
        // Groups: numbered, named, unset, $0, $$ and digits after a reference.
        Case(pattern: "(a)|(b)", replacement: "[$1|$2]", subject: "ab"),
        Case(pattern: "(a)?b", replacement: "<$1>", subject: "b ab"),
        Case(pattern: "(?<y>\\d{4})-(?<m>\\d\\d)", replacement: "${m}/$y", subject: "2024-05 1999-12"),
        Case(pattern: "(\\w)(\\w)", replacement: "$2$1$0$$1${1}0", subject: "abcd"),
        Case(pattern: "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", replacement: "$11$10$1", subject: "abcdefghijk"),
        Case(pattern: "é(.)", replacement: "$1é", subject: "éaé✅é"),
        // Lookbehind and \K see the text before the current point.
        Case(pattern: "(?<=\\$)\\d+", replacement: "0", subject: "$5 and 5 $66"),
        Case(pattern: "color:\\s*\\Kred", replacement: "blue", subject: "color: red; color:red"),
        Case(pattern: "a\\K", replacement: "!", subject: "aaa"),
        // Flags.
        Case(pattern: "é", replacement: "E", subject: "Éé", flags: "i"),
        Case(pattern: "\\w+", replacement: "w", subject: "héllo wörld", flags: "u"),
        Case(pattern: "a.b", replacement: "x", subject: "a\nb a\rb", flags: "s"),
        Case(pattern: "a b # comment", replacement: "x", subject: "ab", flags: "x"),
        // Errors: PCRE2 decides them (a template hands these references over) and both report the same.
        Case(pattern: "(a)", replacement: "$2", subject: "a"),
        Case(pattern: "(a)", replacement: "${nope}", subject: "a"),
        Case(pattern: "(a)", replacement: "${1", subject: "a"),
        Case(pattern: "(a)", replacement: "x$", subject: "a"),
        Case(pattern: "(a)", replacement: "$*MARK", subject: "a"),
        Case(pattern: "(?<=a)\\K", replacement: "x", subject: "aa"),
        Case(pattern: "(?|(?<n>a)|(?<n>b))", replacement: "<$n>", subject: "ab"),
        Case(pattern: "(?J)(?<n>a)|(?<n>b)", replacement: "<${n}>", subject: "ab"),
    ]

    @Test(arguments: edgeCases)
    func sameAsPCRE2Substitute(_ test: Case) throws {
        let (fast, pcre2) = try Self.outcomes(test)
        #expect(fast == pcre2, "\(test)")
    }

    /// Patterns, replacements and subjects built from pieces that exercise the loop: empty matches,
    /// multi-byte characters, CR LF, optional groups, lookaround and \K.
    @Test func sameAsPCRE2SubstituteOnGeneratedInput() throws {
        let atoms = ["a", "b*", "(a)?", "é", ".", "\\r?\\n", "(?=b)", "(?<=a)", "\\K", "(b|)", "x*", "^", "$", "[^a]", "✅?"]
        let prefixes = ["", "(*CRLF)", "(*ANYCRLF)", "(?m)", "(?s)", "(?i)"]
        let replacements = ["", "-", "$0", "[$1]", "$$", "${1}é", "<$2>", "$1$1"]
        let alphabet = ["a", "b", "é", "✅", "\r", "\n", "\r\n", "x", "A"]
        var random = SplitMix64(seed: 0x6768_6F73_7472_756E)
        var compared = 0
        for _ in 0..<3_000 {
            let pattern = prefixes[random.below(prefixes.count)] + (0..<(1 + random.below(4))).map { _ in atoms[random.below(atoms.count)] }.joined()
            let subject = (0..<random.below(12)).map { _ in alphabet[random.below(alphabet.count)] }.joined()
            let test = Case(pattern: pattern, replacement: replacements[random.below(replacements.count)], subject: subject)
            guard (try? CompiledPattern(pattern)) != nil else { continue }
            let (fast, pcre2) = try Self.outcomes(test)
            #expect(fast == pcre2, "\(test)")
            compared += 1
        }
        #expect(compared > 2_000)
    }

    /// Long subjects with matches far apart: the loop searches them in windows of start positions, and
    /// the window edges fall inside multi-byte characters, between CR and LF, and before lookbehinds.
    @Test func sameAsPCRE2SubstituteWhereTheSearchIsWindowed() throws {
        let atoms = ["a", "ab?", "(?<=b)a", "a\\K.", "é(.)", "a$", "^a", "(a)|(q)", "(?<=é)a", "a(?=\\r)", ".a", "\\ba", "\\r\\na", "a|$"]
        let prefixes = ["", "(*CRLF)", "(*ANYCRLF)", "(*ANY)", "(?m)", "(?s)", "(?i)", "(*CRLF)(?m)"]
        let replacements = ["", "-", "$0", "[$1]", "${1}é", "<$2>"]
        let filler = ["b", "é", "✅", "\r\n", "\r", "\n", " ", "x", "bb"]
        var random = SplitMix64(seed: 0x7769_6E64_6F77)
        for _ in 0..<200 {
            let pattern = prefixes[random.below(prefixes.count)] + atoms[random.below(atoms.count)]
            var subject = ""
            for _ in 0..<(2_000 + random.below(10_000)) {
                subject += random.below(1_500) == 0 ? "a" : filler[random.below(filler.count)]
            }
            let test = Case(pattern: pattern, replacement: replacements[random.below(replacements.count)], subject: subject)
            let (fast, pcre2) = try Self.outcomes(test)
            let same = fast == pcre2
            #expect(same, "s/\(test.pattern)/\(test.replacement)/ on \(subject.utf8.count) bytes")
        }
    }

    /// A match at every offset around the edges of the first windows (1024, 3072 and 7168 bytes in), after
    /// ASCII, after multi-byte characters, and after a CR LF, with patterns that look behind the edge.
    @Test func sameAsPCRE2SubstituteAtWindowEdges() throws {
        let patterns = [
            "a", "(?<=b)a", "(?<=é)a", "\\ba", "a\\K.", ".a", "(*CRLF)(?m)^a", "(*ANYCRLF)(?m)^.?a", "(*CRLF)\\na?", "(*ANY)(?m)$",
            "(*CRLF)(?s).a",
        ]
        // A lead byte shifts the CR LF pairs so that an edge falls between CR and LF too.
        let units = [("", "b"), ("", "é"), ("", "✅"), ("", "\r\n"), ("b", "\r\n")]
        var compared = 0
        for edge in [1024, 3072, 7168] {
            for offset in (edge - 6)...(edge + 6) {
                for (lead, unit) in units {
                    // `offset` bytes of `unit` (topped up with b's), the match, then more filler.
                    var prefix = lead + String(repeating: unit, count: (offset - lead.utf8.count) / unit.utf8.count)
                    prefix += String(repeating: "b", count: offset - prefix.utf8.count)
                    let subject = prefix + "a" + String(repeating: unit, count: 40) + "b"
                    for pattern in patterns {
                        let (fast, pcre2) = try Self.outcomes(Case(pattern: pattern, replacement: "<$0>", subject: subject))
                        let same = fast == pcre2
                        #expect(same, "s/\(pattern)/<$0>/ with a at \(offset) after \((lead + unit).debugDescription)")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == 3 * 13 * units.count * patterns.count)
    }

    /// A window whose lowered match limit is hit is searched again one position at a time with the full
    /// limit: the result is PCRE2's, not an error.
    @Test func aBacktrackingPatternInAWindowGivesPCRE2sResult() throws {
        let runs = String(repeating: String(repeating: "a", count: 14) + "!", count: 150)
        for subject in [runs + "b", runs + "aab" + runs + "b", "aab" + runs] {
            let (fast, pcre2) = try Self.outcomes(Case(pattern: "(a+)+b", replacement: "<$1>", subject: subject))
            let same = fast == pcre2
            #expect(same, "(a+)+b on \(subject.utf8.count) bytes")
            if case .failure(let reason) = fast { Issue.record("failed with \(reason)") }
        }
    }

    @Test func bothCountMatchesOnALargeSubject() throws {
        let line = "      <Text style={styles.label}>Item ✅ ready</Text>\r\n"
        let test = Case(
            pattern: "<Text style=\\{styles\\.label\\}>(.*?)</Text>",
            replacement: "<Label>$1</Label>",
            subject: String(repeating: line, count: 5_000)
        )
        let (fast, pcre2) = try Self.outcomes(test)
        #expect(fast == pcre2)
        guard case .output(let bytes, let count) = fast else {
            Issue.record("no output: \(fast)")
            return
        }
        #expect(count == 5_000)
        #expect(String(decoding: bytes, as: UTF8.self) == String(repeating: "      <Label>Item ✅ ready</Label>\r\n", count: 5_000))
    }
}

/// A small deterministic generator, so a failure names input that can be run again.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
