/// A stable, machine-readable reason code carried by failed receipts (`"reason": "no_match"`).
///
/// The codes are part of GhostRunner's public contract: their strings never change. Plugins may
/// introduce their own codes with ``init(_:)``.
public struct Reason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code as it appears in receipts.
    public let rawValue: String

    /// A reason with the given code.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A reason with the given code.
    public init(_ code: String) { self.rawValue = code }

    /// The code.
    public var description: String { rawValue }

    /// Every code GhostRunner itself uses (a plugin's own codes are not among them).
    package static let builtIn: Set<Reason> = [
        .noMatch, .ambiguousMatch, .countMismatch, .unknownRole, .pathOutsideWorkspace, .shellDisabled, .shellNotAllowed, .invalidJSON, .invalidPatch,
        .regexError, .regexLimit, .timeout, .binaryFile, .notUTF8, .fileNotFound, .fileExists, .ioError, .commandFailed, .pluginError,
        .limitExceeded, .idConflict, .interrupted, .conflict, .unknownQueue, .notFound, .unauthorized, .unavailable, .pathReserved,
        .crashedHost, .misdirectedRequest, .forbiddenOrigin, .unsupportedMediaType, .cancelled, .forbidden,
    ]

    /// The pattern matched nowhere in the target file.
    public static let noMatch = Reason("no_match")
    /// The search text fits more than one place in the file (at the first level of the matching ladder where it
    /// fits at all); nothing was written. The message lists the candidate line numbers.
    public static let ambiguousMatch = Reason("ambiguous_match")
    /// `count` was given and the number of matches differs; nothing was written.
    public static let countMismatch = Reason("count_mismatch")
    /// No applier is registered for the patch's role.
    public static let unknownRole = Reason("unknown_role")
    /// A path leads outside the workspace (`..`, an absolute path elsewhere, NUL, or a symlink out).
    public static let pathOutsideWorkspace = Reason("path_outside_workspace")
    /// A shell step was requested where shell is not allowed.
    public static let shellDisabled = Reason("shell_disabled")
    /// A shell command is not on the queue's allow list.
    public static let shellNotAllowed = Reason("shell_not_allowed")
    /// The input is not JSON.
    public static let invalidJSON = Reason("invalid_json")
    /// The input is JSON but not a valid patch envelope or payload.
    public static let invalidPatch = Reason("invalid_patch")
    /// The pattern does not compile.
    public static let regexError = Reason("regex_error")
    /// The pattern hit PCRE2's match, depth or heap limit (catastrophic backtracking).
    public static let regexLimit = Reason("regex_limit")
    /// A step or plugin ran past its time limit and was killed.
    public static let timeout = Reason("timeout")
    /// The target file holds binary data (a NUL byte) and the role edits text.
    public static let binaryFile = Reason("binary_file")
    /// The target file is not valid UTF-8 and the role edits text.
    public static let notUTF8 = Reason("not_utf8")
    /// The target file does not exist and the role needs it.
    public static let fileNotFound = Reason("file_not_found")
    /// The patch creates a file (a diff's new file, Codex's `*** Add File`, a move's destination) that
    /// already exists; nothing was written.
    public static let fileExists = Reason("file_exists")
    /// A file system operation failed.
    public static let ioError = Reason("io_error")
    /// A shell step exited with a non-zero status.
    public static let commandFailed = Reason("command_failed")
    /// An exec plugin crashed, exited non-zero, printed garbage or answered too much.
    public static let pluginError = Reason("plugin_error")
    /// A size or count limit was exceeded (patch, file, operations).
    public static let limitExceeded = Reason("limit_exceeded")
    /// The same id arrived before with other content.
    public static let idConflict = Reason("id_conflict")
    /// A shell step was interrupted by a crash and is not safe to re-run.
    public static let interrupted = Reason("interrupted")
    /// The file on disk is neither the before nor the after state recorded in the journal.
    public static let conflict = Reason("conflict")
    /// A delivery named a queue the host does not have.
    public static let unknownQueue = Reason("unknown_queue")
    /// No patch with that id is known.
    public static let notFound = Reason("not_found")
    /// Credentials were missing or wrong.
    public static let unauthorized = Reason("unauthorized")
    /// The host is shutting down and takes no new patches.
    public static let unavailable = Reason("unavailable")
    /// A path names one of the host's own files (a queue folder, the config, the spool), even inside the workspace.
    public static let pathReserved = Reason("path_reserved")
    /// The host died while applying this patch alone as often as `limits.crash_retries` allows: it is not tried again.
    public static let crashedHost = Reason("crashed_host")
    /// An HTTP request named a `Host` that is not a loopback name or one the config allows (DNS rebinding).
    public static let misdirectedRequest = Reason("misdirected_request")
    /// An HTTP request came from a web page of another origin.
    public static let forbiddenOrigin = Reason("forbidden_origin")
    /// An HTTP request body that is not `application/json` from a client that looks like a browser.
    public static let unsupportedMediaType = Reason("unsupported_media_type")
    /// A request the host will not take from where it came (a read-only dashboard, a cookie call without
    /// the CSRF header).
    public static let forbidden = Reason("forbidden")
    /// The patch was cancelled while queued (`ghost cancel`); nothing of it ran.
    public static let cancelled = Reason("cancelled")
}
