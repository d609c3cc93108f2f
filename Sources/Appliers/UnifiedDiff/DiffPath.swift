/// File names as `---`/`+++` lines and `diff --git` headers write them.
enum DiffPath {
    /// The name on a `---` or `+++` line after the marker: up to a tab (GNU diff puts a timestamp after
    /// one, git a lone tab after a name with spaces), unquoted when git quoted it; `nil` for `/dev/null`.
    static func parse(_ raw: Substring) -> String? {
        var name = raw.prefix { $0 != "\t" }
        while name.last == " " { name = name.dropLast() }
        let path = name.hasPrefix("\"") && name.count > 1 && name.hasSuffix("\"") ? unquoted(name.dropFirst().dropLast()) : String(name)
        return path == "/dev/null" ? nil : path
    }

    /// The two names without git's `a/` and `b/` prefixes, when both sides carry theirs (or are `/dev/null`).
    static func strippingPrefixes(old: String?, new: String?) -> (old: String?, new: String?) {
        guard old != nil || new != nil, old?.hasPrefix("a/") ?? true, new?.hasPrefix("b/") ?? true else { return (old, new) }
        return (old.map { String($0.dropFirst(2)) }, new.map { String($0.dropFirst(2)) })
    }

    /// The names in `diff --git a/x b/x` when both are the same (a mode change or an empty file has no
    /// `---` line to name it), prefixes stripped as ``strippingPrefixes(old:new:)`` does.
    static func gitHeaderName(_ header: Substring) -> String? {
        let characters = Array(header)
        let half = characters.count / 2
        guard characters.count % 2 == 1, characters[half] == " " else { return nil }
        let names = strippingPrefixes(old: String(characters[..<half]), new: String(characters[(half + 1)...]))
        return names.old == names.new ? names.old : nil
    }

    /// A git C-style quoted name's content: `\\`, `\"`, `\t`, `\n` and octal bytes (`\303\251`) decoded.
    private static func unquoted(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            guard byte == UInt8(ascii: "\\"), let next = input.popFirst() else {
                bytes.append(byte)
                continue
            }
            switch next {
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(next - UInt8(ascii: "0"))
                for _ in 0..<2 {
                    guard let digit = input.first, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(digit) else { break }
                    value = value * 8 + Int(input.removeFirst() - UInt8(ascii: "0"))
                }
                bytes.append(UInt8(truncatingIfNeeded: value))
            default: bytes.append(next)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
