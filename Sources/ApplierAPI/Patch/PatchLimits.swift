/// Upper bounds on what one patch may ask for; exceeding one fails with ``Reason/limitExceeded``.
public struct PatchLimits: Sendable, Hashable {
    /// The largest envelope accepted, in bytes.
    public var maxPatchBytes: Int
    /// The most operations (file operations plus shell commands) in one patch.
    public var maxOperations: Int
    /// The largest target file an applier is given, in bytes.
    public var maxFileBytes: Int

    /// Limits.
    public init(maxPatchBytes: Int = 10 << 20, maxOperations: Int = 10_000, maxFileBytes: Int = 1 << 30) {
        self.maxPatchBytes = maxPatchBytes
        self.maxOperations = maxOperations
        self.maxFileBytes = maxFileBytes
    }

    /// 10 MiB patches, 10,000 operations, 1 GiB files.
    public static let `default` = PatchLimits()
}
