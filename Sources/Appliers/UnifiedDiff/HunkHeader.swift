/// A unified diff hunk header, `@@ -start,count +start,count @@ optional section text`; a count left out is 1.
struct HunkHeader: Equatable {
    /// The 1-based first line of the old side (for an empty old side: the line after which the new lines go).
    var oldStart: Int
    /// How many lines the old side has.
    var oldCount: Int
    /// The 1-based first line of the new side.
    var newStart: Int
    /// How many lines the new side has.
    var newCount: Int

    /// The header on `line`, or `nil` when it is not one.
    init?(_ line: String) {
        guard line.hasPrefix("@@ -"), let close = line.dropFirst(4).firstRange(of: " @@") else { return nil }
        let ranges = line.dropFirst(4)[..<close.lowerBound].split(separator: " ")
        guard ranges.count == 2, ranges[1].hasPrefix("+"), let old = Self.range(ranges[0]), let new = Self.range(ranges[1].dropFirst()) else {
            return nil
        }
        (oldStart, oldCount, newStart, newCount) = (old.start, old.count, new.start, new.count)
    }

    /// The header as the diff writes it, for messages.
    var text: String { "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@" }

    /// No file has more lines: a larger number is no line number (and stays far from overflowing offsets).
    private static let largest = 1 << 40

    private static func range(_ text: Substring) -> (start: Int, count: Int)? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let start = Int(parts[0]), (0...largest).contains(start) else { return nil }
        guard parts.count == 2 else { return (start, 1) }
        guard let count = Int(parts[1]), (0...largest).contains(count) else { return nil }
        return (start, count)
    }
}
