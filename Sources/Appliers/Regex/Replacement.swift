/// A patch's replacement string prepared for `pcre2_substitute`.
///
/// - `$1`, `${1}`, `$name`, `${name}` and `$0` refer to groups, as in PCRE2; `$&` (JavaScript's whole
///   match, which the seed's users wrote) means `$0`; `$$` is a dollar sign.
/// - A `$` reference that names no group of the pattern stays literal text, as in JavaScript, so that
///   template literals such as `` `${count} items` `` in a replacement survive.
/// - Backslashes are literal unless the payload sets `extended: true`: model-written replacements are
///   source code, where `\n`, `\u00e9` or `\U` inside a string literal must stay as written. (Guessing
///   extended syntax from `\u` or `\U` in the text turned `"caf\u00e9"` into `"caf00e9"`.)
struct Replacement {
    /// Bytes handed to PCRE2.
    let pcre2Bytes: [UInt8]
    /// Whether PCRE2_SUBSTITUTE_EXTENDED is on.
    let extended: Bool
    /// The exact text the replacement inserts, when it refers to no group and has no escapes: named in a
    /// `no_match` failure when the file already holds it.
    let literalBytes: [UInt8]?

    init(_ text: String, extended requested: Bool?, groupCount: Int, groupNames: Set<String>) {
        let source = Array(text.utf8)
        let extended = requested ?? false
        self.extended = extended
        var output: [UInt8] = []
        output.reserveCapacity(source.count + 8)
        var literal: [UInt8]? = []
        var index = 0
        func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        }
        func refersToGroup(_ name: [UInt8]) -> Bool {
            let text = String(decoding: name, as: UTF8.self)
            if let number = Int(text) { return number <= groupCount }
            return groupNames.contains(text)
        }
        func literalDollar() {
            output += [UInt8(ascii: "$"), UInt8(ascii: "$")]
            literal?.append(UInt8(ascii: "$"))
        }
        while index < source.count {
            let byte = source[index]
            if byte == UInt8(ascii: "\\") && extended {
                literal = nil
                output.append(byte)
                if index + 1 < source.count { output.append(source[index + 1]) }
                index += 2
                continue
            }
            guard byte == UInt8(ascii: "$") else {
                output.append(byte)
                literal?.append(byte)
                index += 1
                continue
            }
            let next = index + 1 < source.count ? source[index + 1] : nil
            if next == UInt8(ascii: "$") {
                literalDollar()
                index += 2
            } else if next == UInt8(ascii: "&") {
                output += Array("${0}".utf8)
                literal = nil
                index += 2
            } else if next == UInt8(ascii: "{"), let close = source[(index + 2)...].firstIndex(of: UInt8(ascii: "}")) {
                let inside = Array(source[(index + 2)..<close])
                let name = inside.prefix(while: isNameByte)
                // `${1:-default}` and friends are extended syntax: leave them to PCRE2.
                if !name.isEmpty && (refersToGroup(Array(name)) && (name.count == inside.count || extended)) {
                    output += source[index...close]
                    literal = nil
                    index = close + 1
                } else {
                    literalDollar()
                    index += 1
                }
            } else if let next, isNameByte(next) {
                var end = index + 1
                let digitsOnly = next >= 0x30 && next <= 0x39
                while end < source.count && isNameByte(source[end]) && (!digitsOnly || (source[end] >= 0x30 && source[end] <= 0x39)) {
                    end += 1
                }
                if refersToGroup(Array(source[(index + 1)..<end])) {
                    output += source[index..<end]
                    literal = nil
                    index = end
                } else {
                    literalDollar()
                    index += 1
                }
            } else {
                literalDollar()
                index += 1
            }
        }
        pcre2Bytes = output
        literalBytes = literal
    }
}
