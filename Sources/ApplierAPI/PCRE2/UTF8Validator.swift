/// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), done once per
/// subject so that every PCRE2 call on it can skip its own check (`PCRE2_NO_UTF_CHECK`).
///
/// PCRE2's built-in check looks at one code unit at a time and, inside `pcre2_substitute`, costs as much
/// as the matching on a large file. This one skips runs of ASCII sixteen bytes at a time.
package enum UTF8Validator {
    /// The offset of the first byte that does not begin a valid UTF-8 sequence, or `nil` when all are valid.
    package static func firstInvalidOffset(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        let raw = UnsafeRawPointer(base)
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        while index < count {
            // Sixteen ASCII bytes at a time: most source code is almost all ASCII.
            if index + 16 <= count {
                let first = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let second = raw.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)
                if (first | second) & highBits == 0 {
                    index += 16
                    continue
                }
                // Jump straight to the first non-ASCII byte (little-endian: the lowest set bit comes first).
                let firstHigh = first & highBits
                let skip =
                    firstHigh != 0 ? firstHigh.littleEndian.trailingZeroBitCount / 8 : 8 + (second & highBits).littleEndian.trailingZeroBitCount / 8
                index += skip
            }
            let lead = base[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            // The allowed range of the second byte depends on the lead byte (overlongs, surrogates, > U+10FFFF).
            let (length, low, high): (Int, UInt8, UInt8)
            switch lead {
            case 0xC2...0xDF: (length, low, high) = (2, 0x80, 0xBF)
            case 0xE0: (length, low, high) = (3, 0xA0, 0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (length, low, high) = (3, 0x80, 0xBF)
            case 0xED: (length, low, high) = (3, 0x80, 0x9F)
            case 0xF0: (length, low, high) = (4, 0x90, 0xBF)
            case 0xF1...0xF3: (length, low, high) = (4, 0x80, 0xBF)
            case 0xF4: (length, low, high) = (4, 0x80, 0x8F)
            default: return index
            }
            guard index + length <= count else { return index }
            let second = base[index + 1]
            guard second >= low && second <= high else { return index }
            for offset in 2..<length where base[index + offset] & 0xC0 != 0x80 { return index }
            index += length
        }
        return nil
    }

    /// True when `bytes` are valid UTF-8.
    package static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { firstInvalidOffset(in: $0) == nil }
    }
}
