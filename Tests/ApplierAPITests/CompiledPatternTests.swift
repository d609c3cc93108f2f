import ApplierAPI
import Foundation
import Testing

@Suite struct CompiledPatternTests {
    func substitute(_ pattern: String, _ replacement: String, in subject: String, flags: String = "", extended: Bool = false) throws -> (String, Int)
    {
        let compiled = try CompiledPattern(pattern, options: try PatternOptions(flags: flags))
        let result = try compiled.substitute(in: Array(subject.utf8), replacement: Array(replacement.utf8), extendedSyntax: extended)
        return (String(decoding: result.output, as: UTF8.self), result.count)
    }

    @Test func jitCompilesAndSubstitutesGlobally() throws {
        let compiled = try CompiledPattern("a")
        #expect(compiled.isJITCompiled)
        #expect(try substitute("a", "b", in: "banana") == ("bbnbnb", 3))
    }

    @Test func namedGroupsAndNumberedGroups() throws {
        #expect(try substitute(#"(?<key>\w+)=(\d+)"#, "${key}:$2", in: "a=1 b=2") == ("a:1 b:2", 2))
    }

    @Test func lookbehindAndResetMatchStart() throws {
        #expect(try substitute(#"(?<=\$)\d+"#, "0", in: "$5 and 5") == ("$0 and 5", 1))
        #expect(try substitute(#"color:\s*\Kred"#, "blue", in: "color: red; bg: red") == ("color: blue; bg: red", 1))
    }

    @Test func eachFlag() throws {
        #expect(try substitute("abc", "x", in: "ABC abc", flags: "i").1 == 2)
        #expect(try substitute("^b", "x", in: "a\nb", flags: "m") == ("a\nx", 1))
        #expect(try substitute("a.b", "x", in: "a\nb", flags: "s") == ("x", 1))
        #expect(try substitute("a b # comment", "x", in: "ab", flags: "x") == ("x", 1))
        #expect(try substitute(#"\w+"#, "x", in: "héllo", flags: "u") == ("x", 1))
        #expect(try substitute(#"\w+"#, "x", in: "héllo").1 == 2)
        #expect(throws: ApplyError.self) { try PatternOptions(flags: "q") }
        #expect(try substitute("a", "b", in: "aa", flags: "g").1 == 2)
    }

    @Test func unicodeMatchesCharactersNotBytes() throws {
        #expect(try substitute("é.", "X", in: "éé✅") == ("X✅", 1))
        #expect(try substitute(".", "-", in: "✅") == ("-", 1))
    }

    @Test func extendedReplacementSyntax() throws {
        #expect(try substitute("(\\w+)", "\\U$1", in: "abc", extended: true) == ("ABC", 1))
        #expect(try substitute("x", "$$", in: "x") == ("$", 1))
    }

    @Test func brokenPatternReportsMessageAndOffset() {
        do {
            _ = try CompiledPattern("a(b")
            Issue.record("expected a compile error")
        } catch {
            #expect(error.reason == .regexError)
            #expect(error.message.contains("offset 3"))
            #expect(error.message.contains("missing closing parenthesis"))
        }
    }

    @Test func catastrophicBacktrackingFailsFastWithRegexLimit() throws {
        let compiled = try CompiledPattern("(a+)+$")
        let subject = Array((String(repeating: "a", count: 5000) + "b").utf8)
        let clock = ContinuousClock()
        let started = clock.now
        let error = #expect(throws: ApplyError.self) {
            _ = try compiled.substitute(in: subject, replacement: [], extendedSyntax: false)
        }
        #expect(error?.reason == .regexLimit)
        #expect(clock.now - started < .seconds(5))
    }

    @Test func invalidUTF8SubjectFailsCleanly() throws {
        let compiled = try CompiledPattern("a")
        let error = #expect(throws: ApplyError.self) {
            _ = try compiled.substitute(in: [0x61, 0xC3, 0x28], replacement: [0x62], extendedSyntax: false)
        }
        #expect(error?.reason == .notUTF8)
    }

    @Test func outputLargerThanFirstGuessIsRetried() throws {
        let subject = String(repeating: "a", count: 10_000)
        let (output, count) = try substitute("a", "aaaa", in: subject)
        #expect(count == 10_000)
        #expect(output.utf8.count == 40_000)
    }

    @Test func emptySubjectAndGroupNames() throws {
        #expect(try substitute("a", "b", in: "") == ("", 0))
        #expect(try CompiledPattern("(?<one>a)(?<two>b)(c)").groupNames == ["one", "two"])
        #expect(try CompiledPattern("(?<one>a)(c)").captureCount == 2)
    }

    @Test func cacheReusesCompiledPatterns() throws {
        let cache = PatternCache(capacity: 2)
        let first = try cache.pattern("a+", options: PatternOptions())
        let again = try cache.pattern("a+", options: PatternOptions())
        #expect(first === again)
        let caseless = try cache.pattern("a+", options: try PatternOptions(flags: "i"))
        #expect(caseless !== first)
        _ = try cache.pattern("b", options: PatternOptions())
        #expect(cache.count <= 2)
    }
}

@Suite struct JITStackTests {
    /// A match that recurses deeper than the JIT's default 32 KiB stack still succeeds: the substitution is
    /// run again with the large JIT stack.
    @Test func deepMatchesGetTheLargeJITStack() throws {
        let compiled = try CompiledPattern("(x|y)*z")
        let subject = Array((String(repeating: "xy", count: 20_000) + "z").utf8)
        let result = try compiled.substitute(in: subject, replacement: Array("[$1]".utf8), extendedSyntax: false)
        #expect(result.count == 1)
        #expect(result.output == Array("[y]".utf8))
    }
}
