import ApplierAPI
import Appliers
import Testing

@Suite struct CommandLineWordsTests {
    func words(_ line: String) throws -> [String] { try CommandLineWords(line).words }

    func refusal(_ line: String) -> Reason? {
        do {
            _ = try CommandLineWords(line)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func splitsOnSpacesAndTabs() throws {
        #expect(try words("npm test") == ["npm", "test"])
        #expect(try words("  npx\ttsc   --noEmit  ") == ["npx", "tsc", "--noEmit"])
        #expect(try words("git commit -m=x a,b@c:d%e+f^g") == ["git", "commit", "-m=x", "a,b@c:d%e+f^g"])
    }

    @Test func quotesAndEscapes() throws {
        #expect(try words("echo 'a b; $(c) `d` \\e'") == ["echo", "a b; $(c) `d` \\e"])
        #expect(try words("echo \"a 'b' \\\" \\\\ \\$ \\` \\x\"") == ["echo", "a 'b' \" \\ $ ` \\x"])
        #expect(try words("echo a\\ b \\; \\&\\|") == ["echo", "a b", ";", "&|"])
        #expect(try words("echo '' \"\" x''y") == ["echo", "", "", "xy"])
        #expect(try words("echo 'it'\\''s'") == ["echo", "it's"])
        #expect(try words("'NAME=v' cmd") == ["NAME=v", "cmd"])
    }

    @Test func refusesEveryOperatorExpansionAndGlobOutsideQuotes() {
        let attacks = [
            "npx tsc & id", "npx tsc; touch PWNED", "npx tsc && id", "npx tsc || id", "npx tsc | sh", "npx tsc $(touch PWNED)",
            "npx tsc `touch PWNED`", "npx tsc\ntouch PWNED", "npx tsc\r\ntouch PWNED", "npx tsc > /etc/passwd", "npx tsc < x",
            "npx tsc $HOME", "npx tsc ${HOME}", "(touch PWNED)", "npx tsc *", "npx tsc ?", "npx tsc [ab]", "npx tsc {a,b}",
            "npx tsc ~/x", "npx tsc # comment", "! npx tsc", "NODE_OPTIONS=--require=./x npx tsc",
            "npx tsc \"$(touch PWNED)\"", "npx tsc \"`id`\"", "npx tsc \"a\nb\"", "npx tsc 'a\nb'", "npx tsc\0",
        ]
        for attack in attacks { #expect(refusal(attack) == .shellNotAllowed, "\(attack)") }
    }

    @Test func refusesUnterminatedQuotesAndATrailingBackslash() {
        #expect(refusal("echo 'a") == .shellNotAllowed)
        #expect(refusal("echo \"a") == .shellNotAllowed)
        #expect(refusal("echo a\\") == .shellNotAllowed)
        #expect(refusal("   ") == .invalidPatch)
    }

    @Test func quotedWordsSplitBackToThemselves() throws {
        let samples: [[String]] = [
            ["npm", "test"], ["printf", "%s-%s", "a b", "c"], ["echo", "it's", "", "$(x)", "a\tb"], ["A=b", "--k=v"], ["é"],
        ]
        for argv in samples { #expect(try words(CommandLineWords.quoted(argv)) == argv, "\(argv)") }
        #expect(CommandLineWords.quoted(["printf", "a b"]) == "printf 'a b'")
        #expect(CommandLineWords.quoted(["npm", "run", "build"]) == "npm run build")
    }
}
