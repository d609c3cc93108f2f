/// A file's bytes seen as lines, without copying: where each line starts, where its text ends and which
/// terminator (`\n`, `\r\n` or none on an unterminated last line) follows it.
///
/// Nothing is decoded: bytes that are not UTF-8 are carried through untouched.
struct TextLines {
    /// Every byte of the text.
    let bytes: [UInt8]
    /// The offset where each line starts.
    let starts: [Int]

    /// The lines of `bytes`; an empty text has no line, and a final `\n` does not start another one.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts: [Int] = []
        if !bytes.isEmpty { starts.append(0) }
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") && index + 1 < bytes.count {
            starts.append(index + 1)
        }
        self.starts = starts
    }

    /// How many lines there are.
    var count: Int { starts.count }

    /// Where line `index` ends, terminator included.
    func end(_ index: Int) -> Int { index + 1 < starts.count ? starts[index + 1] : bytes.count }

    /// Where the text of line `index` ends: before its `\n` or `\r\n`.
    func textEnd(_ index: Int) -> Int {
        var end = end(index)
        if end > starts[index], bytes[end - 1] == UInt8(ascii: "\n") {
            end -= 1
            if end > starts[index], bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        }
        return end
    }

    /// The text of line `index`, without its terminator.
    func text(_ index: Int) -> ArraySlice<UInt8> { bytes[starts[index]..<textEnd(index)] }

    /// The terminator of line `index`: `\n`, `\r\n`, or empty for an unterminated last line.
    func terminator(_ index: Int) -> ArraySlice<UInt8> { bytes[textEnd(index)..<end(index)] }

    /// The 1-based number of the line holding byte `offset`.
    func lineNumber(at offset: Int) -> Int {
        var low = 0
        var high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] <= offset { low = middle + 1 } else { high = middle }
        }
        return max(low, 1)
    }

    /// The terminator most lines use (`\r\n` only when it is the majority), `\n` for a text without any.
    var dominantTerminator: [UInt8] {
        var crlf = 0
        var lf = 0
        for index in starts.indices {
            switch terminator(index).count {
            case 2: crlf += 1
            case 1: lf += 1
            default: break
            }
        }
        return crlf > lf ? Array("\r\n".utf8) : Array("\n".utf8)
    }

    /// The terminator for new lines written among lines `range`: the first one they have, else the file's.
    func terminator(near range: Range<Int>) -> [UInt8] {
        for index in range where !terminator(index).isEmpty { return Array(terminator(index)) }
        return dominantTerminator
    }
}
