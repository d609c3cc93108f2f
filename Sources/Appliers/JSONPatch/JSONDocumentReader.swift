import ApplierAPI

/// Reads a document the project's ``JSONParser`` has already accepted into ``JSONNode``s that remember
/// their text and layout, and finds the file's ``JSONStyle`` on the way. It relies on that check: it
/// validates nothing itself, so the rules (duplicate keys, depth, escapes, a byte-order mark) are the
/// parser's, with its line and column in every refusal.
struct JSONDocumentReader {
    private let bytes: [UInt8]
    /// The offset of the next byte to read.
    private(set) var index: Int
    private var lineIndent = 0..<0
    private var lineBreaks = 0
    /// The formatting found so far.
    private(set) var style = JSONStyle()

    /// A reader at `start` (after a byte-order mark).
    init(_ bytes: [UInt8], start: Int) {
        self.bytes = bytes
        self.index = start
        lineIndent = start..<indentEnd(from: start)
    }

    /// Skips white space, keeping track of the current line's indentation.
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"):
                if lineBreaks == 0, index > 0, bytes[index - 1] == UInt8(ascii: "\r") { style.newline = Array("\r\n".utf8) }
                lineBreaks += 1
                index += 1
                lineIndent = index..<indentEnd(from: index)
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    private func indentEnd(from start: Int) -> Int {
        var end = start
        while end < bytes.count, bytes[end] == UInt8(ascii: " ") || bytes[end] == UInt8(ascii: "\t") { end += 1 }
        return end
    }

    /// Reads the value at ``index``.
    mutating func readValue() -> JSONNode {
        let start = index
        let indent = lineIndent
        let breaksBefore = lineBreaks
        var layout: JSONContainerLayout?
        let kind: JSONNode.Kind
        switch bytes[index] {
        case UInt8(ascii: "{"):
            var members: [JSONNode.Member] = []
            layout = readContainer(closing: UInt8(ascii: "}"), indent: indent) { reader in
                let keyStart = reader.index
                let key = reader.readString()
                let keyText = keyStart..<reader.index
                reader.skipWhitespace()
                reader.index += 1
                if reader.style.keySeparator == nil { reader.style.keySeparator = reader.separator(":") }
                reader.skipWhitespace()
                members.append((key, reader.readValue(), keyText))
            }
            kind = .object(members)
        case UInt8(ascii: "["):
            var elements: [JSONNode] = []
            layout = readContainer(closing: UInt8(ascii: "]"), indent: indent) { elements.append($0.readValue()) }
            kind = .array(elements)
        case UInt8(ascii: "\""): kind = .string(readString())
        case UInt8(ascii: "t"): kind = skipLiteral(4, .bool(true))
        case UInt8(ascii: "f"): kind = skipLiteral(5, .bool(false))
        case UInt8(ascii: "n"): kind = skipLiteral(4, .null)
        default: kind = .number(readNumber())
        }
        let text = JSONSourceText(range: start..<index, lineIndent: indent, multiLine: lineBreaks > breaksBefore)
        return JSONNode(kind, text: text, layout: layout)
    }

    /// Reads `[` or `{`, the members through `readMember`, and the closing bracket; returns the layout
    /// (`nil` for an empty container).
    private mutating func readContainer(
        closing: UInt8,
        indent: Range<Int>,
        readMember: (inout JSONDocumentReader) -> Void
    ) -> JSONContainerLayout? {
        index += 1
        let breaksBefore = lineBreaks
        skipWhitespace()
        if bytes[index] == closing {
            index += 1
            return nil
        }
        let lines = lineBreaks > breaksBefore ? JSONContainerLayout.lines(lineIndent: indent, memberIndent: lineIndent) : nil
        if lines != nil, style.indentUnit == nil {
            let member = bytes[lineIndent]
            let outer = bytes[indent]
            style.indentUnit = Array(member.starts(with: outer) ? member.dropFirst(outer.count) : member)
        }
        var spaced: Bool?
        while true {
            readMember(&self)
            skipWhitespace()
            let byte = bytes[index]
            index += 1
            if byte == closing { return lines ?? .inline(spaced: spaced) }
            let next = index < bytes.count ? bytes[index] : 0
            if spaced == nil, next != UInt8(ascii: "\n"), next != UInt8(ascii: "\r") {
                spaced = next == UInt8(ascii: " ")
                if style.itemSeparator == nil { style.itemSeparator = separator(",") }
            }
            skipWhitespace()
        }
    }

    /// `punctuation`, followed by a space when the file puts one after it here.
    private func separator(_ punctuation: Unicode.Scalar) -> [UInt8] {
        let spaced = index < bytes.count && bytes[index] == UInt8(ascii: " ")
        return [UInt8(ascii: punctuation)] + (spaced ? [UInt8(ascii: " ")] : [])
    }

    private mutating func skipLiteral(_ length: Int, _ kind: JSONNode.Kind) -> JSONNode.Kind {
        index += length
        return kind
    }

    private mutating func readNumber() -> String {
        let start = index
        while index < bytes.count, Self.numberBytes.contains(bytes[index]) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private static let numberBytes = Set("+-.eE0123456789".utf8)

    /// Reads a string; one with escapes is decoded by ``JSONParser`` so that escapes have one meaning.
    private mutating func readString() -> String {
        let open = index
        var escaped = false
        index += 1
        while bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\") {
                escaped = true
                index += 1
            }
            index += 1
        }
        index += 1
        guard escaped else { return String(decoding: bytes[(open + 1)..<(index - 1)], as: UTF8.self) }
        return (try? JSONParser.parse(Array(bytes[open..<index])))?.stringValue ?? ""
    }
}
