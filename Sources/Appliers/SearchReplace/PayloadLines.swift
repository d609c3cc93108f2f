/// Search or replacement text from a payload, cut into lines: `\r\n` reads as `\n`, and a final line break
/// ends the last line instead of starting an empty one (`"a\nb"` and `"a\nb\n"` are the same two lines).
struct PayloadLines {
    /// The lines, without terminators.
    let lines: [[UInt8]]

    /// The lines of `text`.
    init(_ text: String) {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") {
                if current.last == UInt8(ascii: "\r") { current.removeLast() }
                lines.append(current)
                current = []
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty { lines.append(current) }
        self.lines = lines
    }

    /// True when there is no line, or only lines of spaces and tabs: such a search names no place.
    var isBlank: Bool { lines.allSatisfy { $0.allSatisfy(LineKey.isSpace) } }

    /// `text` with every line break (`\n` or `\r\n`) written as `terminator`, a final one included.
    static func converting(_ text: String, to terminator: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") {
                if output.last == UInt8(ascii: "\r") { output.removeLast() }
                output += terminator
            } else {
                output.append(byte)
            }
        }
        return output
    }
}
