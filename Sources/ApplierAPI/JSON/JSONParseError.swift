/// Why a byte sequence is not a JSON document, with the place it went wrong.
package struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    package var problem: String
    /// 1-based line of the offending byte.
    package var line: Int
    /// 1-based column (in bytes) of the offending byte.
    package var column: Int
    /// 0-based byte offset of the offending byte.
    package var offset: Int

    /// A message a person can act on, such as `line 3, column 7: expected ',' or '}'`.
    package var description: String { "line \(line), column \(column): \(problem)" }
}
