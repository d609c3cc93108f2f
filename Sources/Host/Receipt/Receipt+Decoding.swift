public import ApplierAPI
public import Foundation

extension Receipt {
    /// A receipt read back from its JSON (a file in `.completed/` or `.failed/`, an archive, an answer): the
    /// inverse of ``json``. Fails with `invalid_patch` naming the field when a required one is missing or
    /// has the wrong type; unknown fields are ignored, so receipts of later versions still read.
    public init(json: JSONValue) throws(ApplyError) {
        func text(_ key: String) -> String? { json[key]?.stringValue }
        func fail(_ key: String) -> ApplyError { ApplyError(.invalidPatch, "the receipt's '\(key)' is missing or malformed") }
        guard let statusText = text("status"), let status = Status(rawValue: statusText) else { throw fail("status") }
        guard let received = text("received_at").flatMap(Self.date) else { throw fail("received_at") }
        guard let source = text("source").flatMap(Source.init(rawValue:)) else { throw fail("source") }
        self.init(id: text("id"), role: text("role"), queue: text("queue"), source: source, status: status, receivedAt: received)
        reason = text("reason").map(Reason.init(rawValue:))
        message = text("message")
        finishedAt = text("finished_at").flatMap(Self.date) ?? received
        durationMs = json["duration_ms"]?.doubleValue ?? 0
        diff = text("diff") ?? ""
        diffNote = text("diff_note")
        checkOnly = json["check"]?.boolValue ?? false
        contentSHA256 = text("content_sha256")
        attempt = json["attempt"]?.doubleValue.map { Int($0) } ?? 1
        refused = json["refused"]?.boolValue ?? false
        operations = json["operations"]?.arrayValue ?? []
        extra = json["extra"]?.objectValue ?? [:]
        files = try (json["files"]?.arrayValue ?? []).map { item throws(ApplyError) in
            guard let path = item["path"]?.stringValue else { throw fail("files[].path") }
            return FileRecord(
                path: path,
                beforeSHA256: item["before_sha256"]?.stringValue,
                afterSHA256: item["after_sha256"]?.stringValue,
                modeBefore: item["mode_before"]?.stringValue.flatMap { UInt16($0, radix: 8) },
                modeAfter: item["mode_after"]?.stringValue.flatMap { UInt16($0, radix: 8) }
            )
        }
        steps = try (json["steps"]?.arrayValue ?? []).map { item throws(ApplyError) in
            guard let phase = item["phase"]?.stringValue.flatMap(Phase.init(rawValue:)), let command = item["command"]?.stringValue else {
                throw fail("steps[]")
            }
            return StepRecord(
                phase: phase,
                command: command,
                exitCode: item["exit_code"]?.doubleValue.map { Int32($0) },
                timedOut: item["timed_out"]?.boolValue ?? false,
                durationMs: item["duration_ms"]?.doubleValue ?? 0,
                stdoutTail: item["stdout"]?.stringValue ?? "",
                stderrTail: item["stderr"]?.stringValue ?? "",
                truncated: item["truncated"]?.boolValue ?? false
            )
        }
    }

    /// A receipt read from the bytes of its file; `nil` when they are not one.
    init?(bytes: [UInt8]) {
        guard let json = try? JSONParser.parse(bytes), let receipt = try? Receipt(json: json) else { return nil }
        self = receipt
    }

    /// Reads a receipt's timestamp (with or without fractional seconds).
    static func date(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
