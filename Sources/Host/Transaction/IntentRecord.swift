import ApplierAPI
import Foundation

/// One entry of a queue's intent log: what the patch in hand is about to do to the workspace, written
/// durably before it does it, so a restart after a crash can finish or undo it.
///
/// On disk: `GRI1 <length> <sha256 of the JSON>\n<JSON>\n`; a record torn by a crash fails its checksum
/// and is ignored, which leaves the previous record of the patch in charge.
struct IntentRecord: Sendable, Equatable {
    /// Where the patch is.
    enum Stage: String, Sendable {
        /// Staged files are about to be renamed into place and no step runs after them: the commit point.
        /// Recovery rolls such a patch forward and files it as applied.
        case commit
        /// Files are about to be renamed into place before a step: recovery rolls them back.
        case flush
        /// A step is about to run: recovery rolls the files back, then re-queues the patch if every step
        /// started so far is idempotent, else fails it with `interrupted`.
        case step
        /// The patch failed and its files are being restored: recovery finishes the rollback and fails it.
        case rollback
    }

    /// One file the patch touches.
    struct File: Sendable, Equatable {
        /// Canonical path below the workspace root.
        var path: String
        /// The file before the patch (`nil`: it did not exist).
        var before: FileState?
        /// The file the patch wants (`nil`: deleted).
        var after: FileState?
        /// The staged new bytes, a name in the file's folder, when this record renames them into place.
        var staged: String?
        /// A hard link to the original file, a name in its folder, kept while a rollback may need it.
        var backup: String?

        /// The file as a receipt lists it.
        var receiptRecord: FileRecord {
            FileRecord(path: path, beforeSHA256: before?.sha256, afterSHA256: after?.sha256, modeBefore: before?.mode, modeAfter: after?.mode)
        }
    }

    /// A file's content hash and mode.
    struct FileState: Sendable, Equatable {
        /// SHA-256 of the bytes, hex.
        var sha256: String
        /// Permission bits.
        var mode: UInt16

        init(sha256: String, mode: UInt16) {
            self.sha256 = sha256
            self.mode = mode
        }

        /// The state of `content` hashed to `sha256`; `nil` when the file does not exist (or is not hashed).
        init?(sha256: String?, content: FileContent?) {
            guard let sha256, let content else { return nil }
            self.init(sha256: sha256, mode: content.mode)
        }
    }

    /// One patch of a batch committed by one record (see ``members``): its outcome, decided before the
    /// commit, and what it did to each file it touched.
    struct Member: Sendable, Equatable {
        var sequence: UInt64
        var id: String
        /// `applied`, `unchanged` or `failed`.
        var status: String
        var reason: String?
        var message: String?
        /// The member's own before and after states (not the batch's).
        var files: [File]
    }

    /// The patch's queue sequence number (a batch's: its first member's).
    var sequence: UInt64
    /// The patch id.
    var id: String
    var stage: Stage
    /// False once a step that is not idempotent has started: the patch must not run again.
    var rerunnable: Bool
    /// Every file the patch has touched so far, in order.
    var files: [File]
    /// The step about to run (``Stage/step``), as shown in receipts.
    var step: String?
    /// For a batch of content-only patches applied together (one ``Stage/commit`` record for all), every
    /// patch in it, in order; `nil` for a single patch.
    var members: [Member]? = nil

    static let magic = "GRI1"

    /// The record's bytes.
    func encoded() -> [UInt8] {
        var object: [String: JSONValue] = [
            "seq": .number(Double(sequence)),
            "id": .string(id),
            "stage": .string(stage.rawValue),
            "rerunnable": .bool(rerunnable),
            "files": .array(files.map(Self.json)),
        ]
        if let step { object["step"] = .string(step) }
        if let members { object["members"] = .array(members.map(Self.json)) }
        let body = JSONValue.object(object).serializedBytes
        var bytes = Array("\(Self.magic) \(body.count) \(Digest.sha256(body))\n".utf8)
        bytes += body
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private static func json(_ member: Member) -> JSONValue {
        var object: [String: JSONValue] = [
            "seq": .number(Double(member.sequence)),
            "id": .string(member.id),
            "status": .string(member.status),
            "files": .array(member.files.map(json)),
        ]
        if let reason = member.reason { object["reason"] = .string(reason) }
        if let message = member.message { object["message"] = .string(message) }
        return .object(object)
    }

    private static func json(_ file: File) -> JSONValue {
        func state(_ state: FileState?) -> JSONValue {
            guard let state else { return .null }
            return ["sha256": .string(state.sha256), "mode": .number(Double(state.mode))]
        }
        return [
            "path": .string(file.path),
            "before": state(file.before),
            "after": state(file.after),
            "staged": file.staged.map(JSONValue.string) ?? .null,
            "backup": file.backup.map(JSONValue.string) ?? .null,
        ]
    }

    /// Every whole, intact record in `data`, in order; decoding stops at the first torn or damaged one.
    static func decodeAll(_ data: [UInt8]) -> [IntentRecord] {
        var records: [IntentRecord] = []
        var position = 0
        while position < data.count, let lineEnd = data[position...].firstIndex(of: UInt8(ascii: "\n")) {
            let fields = String(decoding: data[position..<lineEnd], as: UTF8.self).split(separator: " ")
            guard fields.count == 3, fields[0] == magic, let length = Int(fields[1]), length >= 0 else { break }
            let start = lineEnd + 1
            let end = start + length
            guard end < data.count, data[end] == UInt8(ascii: "\n") else { break }
            let body = Array(data[start..<end])
            guard Digest.sha256(body) == fields[2], let record = decode(body) else { break }
            records.append(record)
            position = end + 1
        }
        return records
    }

    private static func decode(_ body: [UInt8]) -> IntentRecord? {
        guard let object = try? JSONParser.parse(body), let sequence = object["seq"]?.doubleValue,
            let id = object["id"]?.stringValue, let stage = object["stage"]?.stringValue.flatMap(Stage.init(rawValue:)),
            let rerunnable = object["rerunnable"]?.boolValue, let files = object["files"]?.arrayValue
        else { return nil }
        func state(_ value: JSONValue?) -> FileState? {
            guard let hash = value?["sha256"]?.stringValue, let mode = value?["mode"]?.doubleValue else { return nil }
            return FileState(sha256: hash, mode: UInt16(mode))
        }
        func decodeFiles(_ files: [JSONValue]) -> [File]? {
            var decoded: [File] = []
            for file in files {
                guard let path = file["path"]?.stringValue else { return nil }
                decoded.append(
                    File(
                        path: path,
                        before: state(file["before"]),
                        after: state(file["after"]),
                        staged: file["staged"]?.stringValue,
                        backup: file["backup"]?.stringValue
                    )
                )
            }
            return decoded
        }
        guard let decoded = decodeFiles(files) else { return nil }
        var members: [Member]?
        if let list = object["members"]?.arrayValue {
            var decodedMembers: [Member] = []
            for member in list {
                guard let sequence = member["seq"]?.doubleValue, let id = member["id"]?.stringValue,
                    let status = member["status"]?.stringValue, let files = member["files"]?.arrayValue.flatMap(decodeFiles)
                else { return nil }
                decodedMembers.append(
                    Member(
                        sequence: UInt64(sequence),
                        id: id,
                        status: status,
                        reason: member["reason"]?.stringValue,
                        message: member["message"]?.stringValue,
                        files: files
                    )
                )
            }
            members = decodedMembers
        }
        return IntentRecord(
            sequence: UInt64(sequence),
            id: id,
            stage: stage,
            rerunnable: rerunnable,
            files: decoded,
            step: object["step"]?.stringValue,
            members: members
        )
    }
}
