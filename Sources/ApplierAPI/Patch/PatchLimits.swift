/// Upper bounds on what one patch may ask for; exceeding one fails with ``Reason/limitExceeded``
/// (``Reason/regexLimit`` for the matching budget).
public struct PatchLimits: Sendable, Hashable {
    /// The largest envelope accepted, in bytes.
    public var maxPatchBytes: Int
    /// The most operations (file operations plus shell commands) in one patch.
    public var maxOperations: Int
    /// The largest file a patch may read or write, in bytes (`limits.max_file_bytes`).
    public var maxFileBytes: Int
    /// The wall-clock budget, in milliseconds, for all regex matching of one patch (`limits.regex_ms`).
    public var regexMilliseconds: Int

    /// Limits.
    public init(maxPatchBytes: Int = 10 << 20, maxOperations: Int = 10_000, maxFileBytes: Int = 64 << 20, regexMilliseconds: Int = 2000) {
        self.maxPatchBytes = maxPatchBytes
        self.maxOperations = maxOperations
        self.maxFileBytes = maxFileBytes
        self.regexMilliseconds = regexMilliseconds
    }

    /// The most file content one patch may hold at once: every file it reads plus every new version it
    /// writes, four times ``maxFileBytes``. A patch past it fails with ``Reason/limitExceeded``.
    package var maxHeldBytes: Int {
        let (product, overflow) = maxFileBytes.multipliedReportingOverflow(by: 4)
        return overflow ? .max : product
    }

    /// 10 MiB patches, 10,000 operations, 64 MiB files, 2 s of regex matching per patch.
    public static let `default` = PatchLimits()
}
