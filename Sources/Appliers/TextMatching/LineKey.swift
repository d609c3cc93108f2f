/// A line as one ``MatchLevel`` compares it: the leading whitespace it sets aside and the rest.
struct LineKey: Equatable {
    /// Leading spaces and tabs (empty at the levels that keep indentation in ``body``).
    var indent: [UInt8]
    /// The text compared byte for byte.
    var body: [UInt8]

    /// A line cut into its leading whitespace and the rest without trailing whitespace.
    init(splitting line: ArraySlice<UInt8>) {
        let trimmed = Self.trimmingTrailingSpace(line)
        let bodyStart = trimmed.firstIndex { !Self.isSpace($0) } ?? trimmed.endIndex
        indent = Array(line[line.startIndex..<bodyStart])
        body = Array(trimmed[bodyStart...])
    }

    /// A key from its parts.
    init(indent: [UInt8], body: [UInt8]) {
        self.indent = indent
        self.body = body
    }

    /// Space, tab, carriage return, vertical tab or form feed.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// `line` without the whitespace at its end.
    static func trimmingTrailingSpace(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = line.endIndex
        while end > line.startIndex, isSpace(line[end - 1]) { end -= 1 }
        return line[line.startIndex..<end]
    }
}
