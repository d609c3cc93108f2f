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

    /// Hunks are found in the file as it was, each line hashed once: 300 hunks in a 30,000-line file take one
    /// pass, not one per hunk (which took over half a minute in a debug build).
    @Test func manyHunksInALargeFileAreQuick() async throws {
        let lines = (1...30_000).map { "line \($0) of the file" }
        var diff = "--- a/f.txt\n+++ b/f.txt\n"
        var expected = lines
        for at in stride(from: 50, to: 30_000, by: 100) {
            diff += "@@ -\(at),3 +\(at),3 @@\n \(lines[at - 1])\n-\(lines[at])\n+changed \(at)\n \(lines[at + 1])\n"
            expected[at] = "changed \(at)"
        }
        let old = ["f.txt": FileContent(bytes: Array(lines.map { $0 + "\n" }.joined().utf8))]
        let clock = ContinuousClock()
        let started = clock.now
        let run = try await runApplier(UnifiedDiffApplier(), .string(diff), files: old, target: nil)
        #expect(clock.now - started < .seconds(8))
        #expect(run.files["f.txt"]?.bytes == Array(expected.map { $0 + "\n" }.joined().utf8))
        #expect(run.hunk(299)?["line"] == 29_950)
    }
}
