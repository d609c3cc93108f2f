/// The lines of a diff or patch text: split on `\n`, a `\r` before it set aside (a diff of a CRLF file, or
/// one pasted through Windows, reads like any other), no empty line after a final line break.
struct PatchTextLines {
    /// The lines, without terminators.
    let lines: [String]
    /// For each line, whether it ended in `\r\n`.
    let crlf: [Bool]

    /// The lines of `text`.
    init(_ text: String) {
        // Bytes, not Characters: "\r\n" is one Character, which a split on "\n" would not see.
        var parts = Array(text.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if parts.last?.isEmpty == true { parts.removeLast() }
        crlf = parts.map { $0.last == UInt8(ascii: "\r") }
        lines = parts.map { String(decoding: $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0, as: UTF8.self) }
    }

    /// How many lines there are.
    var count: Int { lines.count }

    /// Line `index`.
    subscript(index: Int) -> String { lines[index] }
}
