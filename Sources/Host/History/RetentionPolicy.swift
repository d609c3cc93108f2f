import ApplierAPI
import Foundation

/// How long a queue keeps finished patches in `.completed/` and `.failed/`, and how long it remembers their
/// ids (`retention:` in the configuration, at the top or per queue).
public struct RetentionPolicy: Sendable, Equatable {
    /// How much of one folder to keep.
    public enum Keep: Sendable, Equatable {
        /// Every file, forever (the default).
        case forever
        /// Files that finished less than this long ago (`30d`, `12h`).
        case age(Duration)
        /// The newest this many.
        case count(Int)
    }

    /// What happens to files past retention.
    public enum Action: String, Sendable {
        /// Moved into `.archive/YYYY-MM-DD.tar.gz` (the default).
        case archive
        /// Removed.
        case delete
    }

    /// For `.completed/`.
    public var completed: Keep
    /// For `.failed/`.
    public var failed: Keep
    /// Archive or delete.
    public var action: Action
    /// How long an id is remembered after its patch finished: a duplicate inside the window gets the first
    /// receipt; after it, the id may be used again. Independent of the files' retention.
    public var dedupWindow: Duration
    /// The most bytes of before-images an applied patch keeps for a revert (`before_images_per_patch`, 4 MiB
    /// by default; 0 keeps none). They go with the patch's receipt.
    public var beforeImageBytes: Int = 4 << 20

    /// A policy; the default keeps every file and remembers ids for 30 days.
    public init(completed: Keep = .forever, failed: Keep = .forever, action: Action = .archive, dedupWindow: Duration = .seconds(30 * 86_400)) {
        self.completed = completed
        self.failed = failed
        self.action = action
        self.dedupWindow = dedupWindow
    }

    /// The default.
    public static let `default` = RetentionPolicy()

    /// The oldest finish time still inside the dedup window at `now`.
    func dedupCutoff(now: Date) -> Date {
        now.addingTimeInterval(-dedupWindow.milliseconds / 1000)
    }
}
