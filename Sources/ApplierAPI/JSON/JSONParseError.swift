/// Why a byte sequence is not a JSON document, with the place it went wrong.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public var problem: String
    /// 1-based line of the offending byte.
    public var line: Int
    /// 1-based column (in bytes) of the offending byte.
    public var column: Int
    /// 0-based byte offset of the offending byte.
    public var offset: Int

    /// A message a person can act on, such as `line 3, column 7: expected ',' or '}'`.
    public var description: String { "line \(line), column \(column): \(problem)" }
}
