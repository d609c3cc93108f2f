import ApplierAPI
import Testing

/// Generated files and edits, checked against a brute-force count of exact places: an edit applies only
/// where its search fits once, nothing outside the replaced lines moves, and nothing crashes.
@Suite struct SearchReplacePropertyTests {
    /// A small deterministic generator (SplitMix64), so a failure can be replayed from its seed.
    struct Generator {
        var state: UInt64

        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((value ^ (value >> 31)) % UInt64(bound))
        }
    }

    static let vocabulary = ["a()", "b = 1", "", "  c(x)", "return", "\u{201C}q\u{201D}", "d -- e", "    f"]

    /// How many places the search lines fit byte for byte in the file lines.
    func exactPlaces(_ search: [String], in file: [String]) -> Int {
        guard search.count <= file.count else { return 0 }
        return (0...(file.count - search.count)).filter { start in Array(file[start..<(start + search.count)]) == search }.count
    }

    @Test func generatedEditsNeverEditTheWrongPlace() async throws {
        var random = Generator(state: 14)
        var applied = 0
        for round in 0..<1500 {
            let lines = (0..<(1 + random.next(12))).map { _ in Self.vocabulary[random.next(Self.vocabulary.count)] }
            let start = random.next(lines.count)
            var search = Array(lines[start..<min(lines.count, start + 1 + random.next(3))])
            switch random.next(4) {
            case 0: search = search.map { $0 + " " }
            case 1: search = search.map { "  " + $0 }
            case 2: search[0] = Self.vocabulary[random.next(Self.vocabulary.count)]
            default: break
            }
            guard search.contains(where: { !$0.allSatisfy(\.isWhitespace) }) else { continue }
            let file = lines.map { $0 + "\n" }.joined()
            let payload: JSONValue = ["search": .string(search.map { $0 + "\n" }.joined()), "replace": "NEW\n"]
            let exact = exactPlaces(search, in: lines)
            do {
                let run = try await runSearchReplace(payload, on: file)
                applied += 1
                let edit = try #require(run.edits.first)
                let line = try #require(edit["line"]?.intValue) - 1
                let count = try #require(edit["lines"]?.intValue)
                if edit["match"] == "exact" { #expect(exact == 1, "round \(round)") } else { #expect(exact == 0, "round \(round)") }
                let expected = (lines[..<line] + ["NEW"] + lines[(line + count)...]).map { $0 + "\n" }.joined()
                #expect(run.text("f.txt") == expected, "round \(round)")
            } catch let error as ApplyError {
                switch error.reason {
                case .ambiguousMatch: #expect(exact != 1, "round \(round)")
                case .noMatch: #expect(exact == 0, "round \(round)")
                default: Issue.record("round \(round): \(error)")
                }
            }
        }
        #expect(applied > 300)
    }
}
