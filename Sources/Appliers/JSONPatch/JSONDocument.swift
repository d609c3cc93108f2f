import ApplierAPI

/// A JSON file read for editing: its value as ``JSONNode``s, its formatting, and the bytes around the
/// value (a byte-order mark, leading white space, the final line break), all kept when it is written back.
struct JSONDocument {
    /// The file's bytes.
    let source: [UInt8]
    /// The value as read.
    let root: JSONNode
    /// The formatting found in the file.
    let style: JSONStyle
    /// Where the value's text lies; the bytes before and after it are copied as they are.
    private let rootRange: Range<Int>

    /// Reads a file.
    /// - Throws: ``Reason/invalidJSON`` with the parser's line, column and problem (duplicate keys, for
    ///   one) when the file is not a JSON document.
    init(_ bytes: [UInt8], path: String) throws(ApplyError) {
        do {
            _ = try JSONParser.parse(bytes)
        } catch {
            throw ApplyError(.invalidJSON, "\(path) is not a JSON document (\(error)); fix the file or edit it with another role")
        }
        var reader = JSONDocumentReader(bytes, start: bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0)
        reader.skipWhitespace()
        let start = reader.index
        root = reader.readValue()
        rootRange = start..<reader.index
        var style = reader.style
        // A file on one line: its outermost container's spacing speaks for it, not its first comma's.
        if case .inline(let spaced?) = root.layout { style.itemSeparator = spaced ? Array(", ".utf8) : [UInt8(ascii: ",")] }
        self.style = style
        source = bytes
    }

    /// The file's bytes with `value` in place of ``root``.
    func bytes(with value: JSONNode) -> [UInt8] {
        var writer = JSONDocumentWriter(source: source, style: style)
        writer.write(value, indent: Array(source[(root.text?.lineIndent ?? 0..<0)]))
        return source[..<rootRange.lowerBound] + writer.output + source[rootRange.upperBound...]
    }
}
