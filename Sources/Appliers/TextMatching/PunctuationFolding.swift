/// The typographic characters models and word processors swap for ASCII, folded back to ASCII on bytes:
/// curly quotes and primes to `'` and `"`, hyphens, dashes and the minus sign to `-`, non-breaking and
/// other fixed-width spaces to a space, the ellipsis to `...`, and zero-width spaces, word joiners and
/// byte-order marks dropped. Every other byte, including bytes that are not UTF-8, stays as it is.
enum PunctuationFolding {
    /// The folded bytes of `line`.
    static func fold(_ line: ArraySlice<UInt8>) -> [UInt8] { foldTracking(line).bytes }

    /// The folded bytes of `line` and, for each, the offset in `line`'s base where the character it comes
    /// from starts (so a match found in the folded text can be mapped back).
    static func foldTracking(_ line: ArraySlice<UInt8>) -> (bytes: [UInt8], origins: [Int]) {
        var bytes: [UInt8] = []
        var origins: [Int] = []
        bytes.reserveCapacity(line.count)
        origins.reserveCapacity(line.count)
        var index = line.startIndex
        while index < line.endIndex {
            let (width, replacement) = replacement(in: line, at: index)
            if let replacement {
                bytes += replacement
                origins += Array(repeating: index, count: replacement.count)
            } else {
                bytes.append(line[index])
                origins.append(index)
            }
            index += width
        }
        return (bytes, origins)
    }

    /// The ASCII that the character at `index` folds to and its width in bytes, or `(1, nil)` to keep the byte.
    private static func replacement(in line: ArraySlice<UInt8>, at index: Int) -> (Int, [UInt8]?) {
        let lead = line[index]
        guard lead >= 0xC2, lead <= 0xEF, index + 1 < line.endIndex else { return (1, nil) }
        let second = line[index + 1]
        if lead == 0xC2 { return second == 0xA0 ? (2, space) : (1, nil) }
        guard index + 2 < line.endIndex else { return (1, nil) }
        let third = line[index + 2]
        switch (lead, second) {
        case (0xE2, 0x80): return general[third].map { (3, $0) } ?? (1, nil)
        case (0xE2, 0x81) where third == 0x9F: return (3, space)  // medium mathematical space
        case (0xE2, 0x81): return third == 0xA0 ? (3, []) : (1, nil)
        case (0xE2, 0x88): return third == 0x92 ? (3, dash) : (1, nil)
        case (0xE3, 0x80): return third == 0x80 ? (3, space) : (1, nil)
        case (0xEF, 0xBB): return third == 0xBF ? (3, []) : (1, nil)
        default: return (1, nil)
        }
    }

    private static let space: [UInt8] = [0x20]
    private static let dash: [UInt8] = [UInt8(ascii: "-")]

    /// U+2000 to U+203F (`E2 80 xx`): the last byte and what it folds to.
    private static let general: [UInt8: [UInt8]] = {
        var table: [UInt8: [UInt8]] = [:]
        for last: UInt8 in 0x80...0x8A { table[last] = space }  // en quad ... hair space
        table[0x8B] = []  // zero-width space
        for last: UInt8 in 0x90...0x95 { table[last] = dash }  // hyphen ... horizontal bar
        for last: UInt8 in 0x98...0x9B { table[last] = [UInt8(ascii: "'")] }  // ‘ ’ ‚ ‛
        for last: UInt8 in 0x9C...0x9F { table[last] = [UInt8(ascii: "\"")] }  // “ ” „ ‟
        table[0xA6] = Array("...".utf8)  // …
        table[0xAF] = space  // narrow no-break space
        table[0xB2] = [UInt8(ascii: "'")]  // ′
        table[0xB3] = [UInt8(ascii: "\"")]  // ″
        return table
    }()
}
