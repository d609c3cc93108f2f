/// How far the file's lines are indented against the search's at the ``MatchLevel/indentation`` level and
/// below: by one whitespace prefix, the same for every non-blank line.
enum IndentShift: Equatable {
    /// The same indentation.
    case none
    /// The file's lines carry this prefix before the search's indentation.
    case deeper([UInt8])
    /// The search's lines carry this prefix before the file's indentation.
    case shallower([UInt8])
    /// The file writes indentation in another style (tabs for spaces): each line translated.
    case restyled(IndentStyleMap)

    /// The shift that turns the search line's indentation into the file line's, if one prefix does.
    init?(file: [UInt8], search: [UInt8]) {
        if file == search {
            self = .none
        } else if file.count > search.count, file.suffix(search.count).elementsEqual(search) {
            self = .deeper(Array(file.prefix(file.count - search.count)))
        } else if search.count > file.count, search.suffix(file.count).elementsEqual(file) {
            self = .shallower(Array(search.prefix(search.count - file.count)))
        } else {
            return nil
        }
    }

    /// A replacement line moved by the same shift; blank lines stay as they are.
    /// - Returns: `nil` when the line must lose a prefix it does not start with.
    func apply(to line: [UInt8]) -> [UInt8]? {
        guard !line.allSatisfy(LineKey.isSpace) else { return line }
        switch self {
        case .none: return line
        case .deeper(let prefix): return prefix + line
        case .shallower(let prefix): return line.starts(with: prefix) ? Array(line.dropFirst(prefix.count)) : nil
        case .restyled(let map): return map.apply(to: line)
        }
    }

    /// The shift as the receipt shows it: `+4` (four whitespace characters added), `-1`, or `nil` for none.
    var receiptValue: String? {
        switch self {
        case .none: nil
        case .deeper(let prefix): "+\(prefix.count)"
        case .shallower(let prefix): "-\(prefix.count)"
        case .restyled(let map): map.receiptValue
        }
    }
}
