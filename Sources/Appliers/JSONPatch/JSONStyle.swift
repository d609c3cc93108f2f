/// The formatting a JSON file uses, found while reading it and used for what a patch adds.
struct JSONStyle: Sendable, Hashable {
    /// `\n`, or `\r\n` when the file's first line break is one.
    var newline: [UInt8] = [0x0A]
    /// One level of indentation (two or four spaces, a tab); `nil` for a file on one line.
    var indentUnit: [UInt8]?
    /// What follows a key: `:` or `: `.
    var keySeparator: [UInt8]?
    /// What separates members on one line: `,` or `, `.
    var itemSeparator: [UInt8]?

    /// Compact output on one line, for messages.
    static let compact = JSONStyle(indentUnit: nil, keySeparator: [UInt8(ascii: ":")], itemSeparator: [UInt8(ascii: ",")])

    /// The key separator, `: ` in an indented file and `:` in a compact one unless the file showed one.
    var resolvedKeySeparator: [UInt8] { keySeparator ?? (indentUnit == nil ? [UInt8(ascii: ":")] : Array(": ".utf8)) }

    /// The separator of members on one line, `,` unless the file showed one.
    var resolvedItemSeparator: [UInt8] { itemSeparator ?? [UInt8(ascii: ",")] }
}
