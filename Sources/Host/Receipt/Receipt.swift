public import ApplierAPI
public import Foundation
public import Transport

/// What happened to one patch: written beside it in `.completed/` or `.failed/`, printed by `ghost apply`.
public struct Receipt: Sendable {
    /// The outcome.
    public enum Status: String, Sendable {
        /// At least one file changed or one step ran.
        case applied
        /// Everything was already as the patch wants it.
        case unchanged
        /// The id was seen before with the same content; nothing was applied again.
        case duplicate
        /// Nothing the patch changed remains; see ``Receipt/reason``.
        case failed
    }

    /// Where the patch came from.
    public enum Source: String, Sendable {
        /// `POST /api/patches` or `POST /api/queues/{queue}/patches`.
        case http
        /// A file dropped into a queue's folder.
        case inbox
        /// A line of `ghost serve --stdin`, or `ghost apply` reading standard input.
        case stdin
        /// `ghost apply` with file arguments.
        case file

        /// The source of a transport's delivery.
        public init(_ source: Delivery.Source) {
            switch source {
            case .http: self = .http
            case .inbox: self = .inbox
            case .stdin: self = .stdin
            }
        }
    }

    /// The patch id (`nil` when the input had none that could be read).
    public var id: String?
    /// The v1 role or `block`.
    public var role: String?
    /// The queue it ran in (`nil` for `ghost apply`).
    public var queue: String?
    /// Where it came from.
    public var source: Source
    /// The outcome.
    public var status: Status
    /// Why it failed.
    public var reason: Reason?
    /// Words for people.
    public var message: String?
    /// Per-file hashes.
    public var files: [FileRecord] = []
    /// The unified diff of every file (empty when nothing changed).
    public var diff: String = ""
    /// Why the diff is missing or cut, when it is.
    public var diffNote: String?
    /// Shell steps that ran (or were skipped under `--check`).
    public var steps: [StepRecord] = []
    /// Per-operation facts (`role`, `target`, `matches`, `note`).
    public var operations: [JSONValue] = []
    /// True under `--check`: nothing was written.
    public var checkOnly = false
    /// The patch's unknown top-level fields, echoed.
    public var extra: [String: JSONValue] = [:]
    /// The SHA-256 of the patch's canonical JSON (sorted keys): a queue's ledger tells a duplicate (same id,
    /// same hash) from an `id_conflict` with it.
    public var contentSHA256: String?
    /// True for a delivery refused before it was queued (an inbox file moved to `.failed/`): its id was
    /// never taken, so the history does not answer for it.
    public var refused = false
    /// The files the patch changed as they were before it, for a revert; written by the queue's filer to
    /// `.ghost/before/`, never into the receipt's JSON (`nil`: none kept).
    var beforeImages: BeforeImages?
    /// Which run of the id this is: 1 for the first (written only when above 1).
    public var attempt = 1
    /// When the patch was received.
    public var receivedAt: Date
    /// When it finished.
    public var finishedAt: Date
    /// Milliseconds from start of work to finish.
    public var durationMs: Double

    /// A receipt.
    public init(id: String?, role: String?, queue: String?, source: Source, status: Status, receivedAt: Date) {
        self.id = id
        self.role = role
        self.queue = queue
        self.source = source
        self.status = status
        self.receivedAt = receivedAt
        self.finishedAt = receivedAt
        self.durationMs = 0
    }

    /// True for applied, unchanged and duplicate.
    public var succeeded: Bool { status != .failed }

    /// The receipt as JSON.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": id.map(JSONValue.string) ?? .null,
            "role": role.map(JSONValue.string) ?? .null,
            "queue": queue.map(JSONValue.string) ?? .null,
            "source": .string(source.rawValue),
            "status": .string(status.rawValue),
            "files": .array(files.map(\.json)),
            "diff": .string(diff),
            "steps": .array(steps.map(\.json)),
            "operations": .array(operations),
            "received_at": .string(Self.timestamp(receivedAt)),
            "finished_at": .string(Self.timestamp(finishedAt)),
            "duration_ms": .number(durationMs),
        ]
        if let reason { object["reason"] = .string(reason.rawValue) }
        if let message { object["message"] = .string(message) }
        if let diffNote { object["diff_note"] = .string(diffNote) }
        if checkOnly { object["check"] = .bool(true) }
        if let contentSHA256 { object["content_sha256"] = .string(contentSHA256) }
        if attempt != 1 { object["attempt"] = .number(Double(attempt)) }
        if refused { object["refused"] = .bool(true) }
        if !extra.isEmpty { object["extra"] = .object(extra) }
        return .object(object)
    }

    /// One line for people: status, id, role and what changed or why it failed; under `--check`, then the diff.
    public var text: String {
        var line = "\(status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(id ?? "-") (\(role ?? "?"))"
        let changed = files.filter(\.changed).map(\.path)
        if !changed.isEmpty { line += " " + changed.joined(separator: ", ") }
        if let reason { line += " [\(reason.rawValue)]" }
        if let message { line += ": \(message)" }
        if checkOnly {
            line += " (check: nothing written)"
            if !diff.isEmpty { line += "\n" + diff }
        }
        return line
    }

    /// The fields of this receipt that `ghost status` lists for recent results.
    /// Built from the fields, not from ``json``: it is taken for every finished patch, on the queue's actor.
    var summary: JSONValue {
        var object: [String: JSONValue] = [
            "id": id.map(JSONValue.string) ?? .null,
            "role": role.map(JSONValue.string) ?? .null,
            "source": .string(source.rawValue),
            "status": .string(status.rawValue),
            "finished_at": .string(Self.timestamp(finishedAt)),
        ]
        if let reason { object["reason"] = .string(reason.rawValue) }
        if let message { object["message"] = .string(message) }
        return .object(object)
    }

    /// The fields of a receipt that `ghost status` lists for recent results.
    static func summary(of json: JSONValue) -> JSONValue {
        var summary: [String: JSONValue] = [:]
        for key in ["id", "role", "source", "status", "reason", "message", "finished_at"] {
            if let value = json[key] { summary[key] = value }
        }
        return .object(summary)
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension StepRecord {
    /// The step as receipt JSON.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "phase": .string(phase.rawValue),
            "command": .string(command),
            "exit_code": exitCode.map { .number(Double($0)) } ?? .null,
            "duration_ms": .number(durationMs),
            "stdout": .string(stdoutTail),
            "stderr": .string(stderrTail),
        ]
        if timedOut { object["timed_out"] = .bool(true) }
        if truncated { object["truncated"] = .bool(true) }
        return .object(object)
    }
}

extension Receipt {
    /// An `applied` receipt for `patch`, to be filled in as it runs: id, role, queue, source, echoed fields.
    init(for patch: Patch, options: RunOptions, receivedAt: Date) {
        self.init(id: patch.id, role: patch.roleLabel, queue: options.queue, source: options.source, status: .applied, receivedAt: receivedAt)
        extra = patch.extraFields
    }
}
