import CPCRE2

/// A replacement in PCRE2's plain (not extended) syntax, parsed once per substitution instead of once per
/// match: literal bytes and group references (`$1`, `${1}`, `$name`, `${name}`, `$$`).
///
/// `pcre2_substitute` re-reads the replacement and copies it, and every group's text, one character at a
/// time for each match; on a file with a million matches that costs more than the matching. A template
/// copies whole runs instead and gives byte-for-byte the same output (`CompiledPatternTests` compares the
/// two on every edge case, and the fuzz target on arbitrary input).
///
/// Anything a template does not cover returns `nil` from ``init(_:for:)`` and is left to
/// `pcre2_substitute` itself: `$*MARK`, a name shared by several groups (PCRE2 picks the first one set),
/// and malformed or unknown references (PCRE2 reports those errors with its own message).
struct ReplacementTemplate {
    enum Piece {
        /// A run of `literals`.
        case literal(Range<Int>)
        /// A capture group's text; an unset group inserts nothing (`PCRE2_SUBSTITUTE_UNSET_EMPTY`).
        case group(Int)
    }

    /// The literal text of every piece, back to back.
    private(set) var literals: [UInt8] = []
    /// The pieces in order.
    private(set) var pieces: [Piece] = []

    /// Parses `replacement` for `code`, or returns `nil` when only `pcre2_substitute` can handle it.
    init?(_ replacement: UnsafeBufferPointer<UInt8>, for code: OpaquePointer) {
        var captureCount: UInt32 = 0
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_CAPTURECOUNT), &captureCount)
        let dollar = UInt8(ascii: "$")
        let count = replacement.count
        var index = 0
        var literalStart = 0

        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        // PCRE2's default character tables: a name is ASCII letters, digits and underscores.
        func isWordByte(_ byte: UInt8) -> Bool {
            isDigit(byte) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        }

        while index < count {
            guard replacement[index] == dollar else {
                index += 1
                continue
            }
            appendLiteral(replacement, literalStart..<index)
            index += 1
            guard index < count else { return nil }
            if replacement[index] == dollar {
                appendLiteral(replacement, index..<(index + 1))
                index += 1
                literalStart = index
                continue
            }
            let braced = replacement[index] == UInt8(ascii: "{")
            if braced { index += 1 }
            guard index < count else { return nil }
            let group: Int
            if isDigit(replacement[index]) {
                var number = 0
                while index < count && isDigit(replacement[index]) {
                    number = number * 10 + Int(replacement[index] - 0x30)
                    guard number <= Int(captureCount) else { return nil }
                    index += 1
                }
                group = number
            } else {
                let nameStart = index
                while index < count && isWordByte(replacement[index]) && index - nameStart < 33 { index += 1 }
                let length = index - nameStart
                guard length > 0 && length <= 32 else { return nil }
                guard let number = Self.uniqueGroup(named: UnsafeBufferPointer(rebasing: replacement[nameStart..<index]), in: code) else {
                    return nil
                }
                group = number
            }
            if braced {
                guard index < count && replacement[index] == UInt8(ascii: "}") else { return nil }
                index += 1
            }
            pieces.append(.group(group))
            literalStart = index
        }
        appendLiteral(replacement, literalStart..<count)
    }

    private mutating func appendLiteral(_ replacement: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        let start = literals.count
        literals.append(contentsOf: UnsafeBufferPointer(rebasing: replacement[range]))
        if case .literal(let previous)? = pieces.last, previous.upperBound == start {
            pieces[pieces.count - 1] = .literal(previous.lowerBound..<literals.count)
        } else {
            pieces.append(.literal(start..<literals.count))
        }
    }

    /// The number of the one group with this name; `nil` when there is none or several share it.
    private static func uniqueGroup(named name: UnsafeBufferPointer<UInt8>, in code: OpaquePointer) -> Int? {
        var terminated = Array(name)
        terminated.append(0)
        var first: UnsafePointer<UInt8>?
        var last: UnsafePointer<UInt8>?
        let entrySize = pcre2_substring_nametable_scan_8(code, terminated, &first, &last)
        guard entrySize > 0, let first, let last, first == last else { return nil }
        // A name table entry starts with the group number, two bytes, most significant first.
        return Int(first[0]) << 8 | Int(first[1])
    }
}
