import ApplierAPI
import Appliers
import Foundation
import Testing

/// Random files and random edits, diffed by git: `unified_diff` gives exactly the new file, or refuses
/// with `ambiguous_match` where the file repeats the hunk's lines; it never writes anything else.
@Suite struct UnifiedDiffPropertyTests {
    /// A small deterministic generator (a linear congruential one), so a failure names its seed.
    struct Generator {
        var state: UInt64

        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    /// A file of `count` lines drawn from `vocabulary` words (few words: repeated lines, ambiguous hunks).
    static func lines(_ count: Int, vocabulary: Int, _ random: inout Generator) -> [String] {
        (0..<count).map { _ in "item \(random.next(vocabulary))" }
    }

    /// `lines` with a few random replacements, insertions and deletions.
    static func edited(_ lines: [String], _ random: inout Generator) -> [String] {
        var lines = lines
        for _ in 0..<(1 + random.next(4)) {
            let at = random.next(max(lines.count, 1))
            switch random.next(3) {
            case 0 where !lines.isEmpty: lines[at] = "changed \(random.next(1000))"
            case 1: lines.insert("inserted \(random.next(1000))", at: at)
            default: if !lines.isEmpty { lines.remove(at: at) }
            }
        }
        return lines
    }

    @Test(arguments: [(seed: UInt64(1), vocabulary: 1000), (2, 1000), (3, 1000), (4, 6), (5, 6), (6, 4)])
    func neverAWrongEdit(seed: UInt64, vocabulary: Int) async throws {
        var random = Generator(state: seed)
        var applied = 0
        for round in 0..<8 {
            let before = Self.lines(20 + random.next(40), vocabulary: vocabulary, &random)
            let after = Self.edited(before, &random)
            let old = ["f.txt": FileContent(bytes: Array(before.map { $0 + "\n" }.joined().utf8))]
            let new = ["f.txt": FileContent(bytes: Array(after.map { $0 + "\n" }.joined().utf8))]
            let diff = try DiffTools.gitDiff(from: old, to: new)
            guard !diff.isEmpty else { continue }
            do {
                let result = try await runApplier(UnifiedDiffApplier(), .string(diff), files: old, target: nil).files
                #expect(result == new, "seed \(seed) round \(round):\n\(diff)")
                applied += 1
            } catch let error as ApplyError {
                #expect(error.reason == .ambiguousMatch, "seed \(seed) round \(round): \(error)\n\(diff)")
            }
        }
        // With distinct lines every diff applies.
        if vocabulary >= 1000 { #expect(applied > 0) }
    }
}
