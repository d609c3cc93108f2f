/// The result of a global substitution.
public struct Substitution: Sendable {
    /// The subject with every match replaced.
    public var output: [UInt8]
    /// How many matches were replaced.
    public var count: Int
}
