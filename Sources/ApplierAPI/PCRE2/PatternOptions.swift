/// Compile options of a pattern, parsed from a patch's `flags` string (`"imsxu"`).
public struct PatternOptions: Hashable, Sendable {
    /// `i`: case-insensitive.
    public var caseless = false
    /// `m`: `^` and `$` match at line breaks.
    public var multiline = false
    /// `s`: `.` matches newlines too.
    public var dotAll = false
    /// `x`: white space and `#` comments in the pattern are ignored.
    public var extended = false
    /// `u`: `\w`, `\d`, `\b` and POSIX classes use Unicode properties.
    public var unicodeProperties = false
    /// `$` matches only at the very end, not also before a final line break (JSON Schema's `pattern` is an
    /// ECMA-262 regex, where it does not: `^[a-z]+$` must not take `"main\n"`). Never set from `flags`.
    public var dollarEndOnly = false

    /// No flags: case-sensitive, single-line (UTF mode is always on).
    public init() {}

    /// Parses a flags string. `g` is accepted and ignored, since substitution is always global.
    /// - Throws: ``Reason/invalidPatch`` for any other letter.
    public init(flags: String) throws(ApplyError) {
        for flag in flags {
            switch flag {
            case "i": caseless = true
            case "m": multiline = true
            case "s": dotAll = true
            case "x": extended = true
            case "u": unicodeProperties = true
            case "g": continue
            default:
                throw ApplyError(.invalidPatch, "unknown regex flag '\(flag)' (known: i m s x u, and g which is always on)")
            }
        }
    }
}
