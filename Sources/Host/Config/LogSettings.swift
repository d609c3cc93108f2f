public import Logging

/// How `ghost serve` logs (`log: {format: json, level: info}`); `--log-format` and `--log-level` win.
public struct LogSettings: Sendable, Equatable {
    /// The line format.
    public enum Format: String, Sendable, CaseIterable {
        /// Lines for people: `2026-… info ghost : message key=value`.
        case text
        /// One JSON object per line: `timestamp`, `level`, `label`, `message`, `metadata`.
        case json
    }

    /// The configured format, `nil` when the file names none.
    public var format: Format?
    /// The configured level, `nil` when the file names none.
    public var level: Logger.Level?

    /// Settings; `nil` leaves the choice to the command line or the default (text, info).
    public init(format: Format? = nil, level: Logger.Level? = nil) {
        self.format = format
        self.level = level
    }
}
