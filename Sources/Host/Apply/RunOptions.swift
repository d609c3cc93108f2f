public import ApplierAPI

/// How one patch is run: where it came from, what it may do, and whether to write at all.
public struct RunOptions: Sendable {
    /// `--check`: compute everything, write nothing, run no step.
    public var checkOnly: Bool
    /// Whether and how shell steps run.
    public var shellPolicy: ShellPolicy
    /// The queue name for the receipt.
    public var queue: String?
    /// The transport for the receipt (`file`, `stdin`, `http`, `inbox`).
    public var source: Receipt.Source
    /// Size and count limits.
    public var limits: PatchLimits
    /// Files larger than this (either side) get no diff in the receipt, only hashes.
    public var diffMaxFileBytes: Int
    /// The most diff text a receipt carries.
    public var diffMaxBytes: Int
    /// The most bytes of before-images (files as they were before the patch) an applied patch keeps for a
    /// revert; `nil` keeps none (``RetentionPolicy/beforeImageBytes`` in a queue).
    public var beforeImageBytes: Int?

    /// Options; by default shell is off and everything is written.
    public init(
        checkOnly: Bool = false,
        shellPolicy: ShellPolicy = .disabled,
        queue: String? = nil,
        source: Receipt.Source = .file,
        limits: PatchLimits = .default,
        diffMaxFileBytes: Int = 4 << 20,
        diffMaxBytes: Int = 1 << 20,
        beforeImageBytes: Int? = nil
    ) {
        self.checkOnly = checkOnly
        self.shellPolicy = shellPolicy
        self.queue = queue
        self.source = source
        self.limits = limits
        self.diffMaxFileBytes = diffMaxFileBytes
        self.diffMaxBytes = diffMaxBytes
        self.beforeImageBytes = beforeImageBytes
    }
}
