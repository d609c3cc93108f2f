/// An RFC 6901 JSON Pointer: `""` is the whole document, `/a/0/b~1c` the member `b/c` of the first element
/// of `a` (`~1` stands for `/`, `~0` for `~`).
struct JSONPointer: Sendable, CustomStringConvertible {
    /// The reference tokens, unescaped.
    let tokens: [String]
    /// The pointer as written.
    let description: String

    /// Parses pointer text.
    /// - Throws: A ``Problem`` saying what is wrong: a pointer that is not empty and does not start with
    ///   `/`, or a `~` not followed by `0` or `1`.
    init(_ text: String) throws(Problem) {
        description = text
        guard !text.isEmpty else {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else {
            throw Problem("\(text.quoted()) is not a JSON Pointer: it must be empty (the whole document) or start with '/'")
        }
        var tokens: [String] = []
        for part in text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst() {
            var token: [UInt8] = []
            var tilde = false
            for byte in part {
                if tilde {
                    guard byte == UInt8(ascii: "0") || byte == UInt8(ascii: "1") else {
                        throw Problem(
                            "\(text.quoted()) has '~' followed by '\(Unicode.Scalar(byte))': in a JSON Pointer '~' is written '~0' and '/' is '~1'"
                        )
                    }
                    token.append(byte == UInt8(ascii: "0") ? UInt8(ascii: "~") : UInt8(ascii: "/"))
                    tilde = false
                } else if byte == UInt8(ascii: "~") {
                    tilde = true
                } else {
                    token.append(byte)
                }
            }
            guard !tilde else { throw Problem("\(text.quoted()) ends with a lone '~': in a JSON Pointer '~' is written '~0' and '/' is '~1'") }
            tokens.append(String(decoding: token, as: UTF8.self))
        }
        self.tokens = tokens
    }

    /// A pointer to the first `count` tokens' value, written as text (`/a/b` of `/a/b/c` for 2).
    func prefix(_ count: Int) -> String {
        tokens.prefix(count).map { "/" + $0.replacing("~", with: "~0").replacing("/", with: "~1") }.joined()
    }

    /// Whether this pointer names a value strictly inside the one `other` names (`/a/b` is inside `/a`).
    func isInside(_ other: JSONPointer) -> Bool {
        tokens.count > other.tokens.count && zip(tokens, other.tokens).allSatisfy { JSONNode.same($0, $1) }
    }

    /// Whether both name the same place.
    func isSame(as other: JSONPointer) -> Bool {
        tokens.count == other.tokens.count && zip(tokens, other.tokens).allSatisfy { JSONNode.same($0, $1) }
    }

    /// Why a pointer could not be parsed.
    struct Problem: Error {
        /// What is wrong.
        var message: String

        /// A problem.
        init(_ message: String) { self.message = message }
    }
}
