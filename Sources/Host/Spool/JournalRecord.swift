import ApplierAPI
import Foundation

/// Where a queued patch's body lives in the intake journal.
struct JournalLocation: Sendable, Hashable {
    /// The journal file's generation (`.ghost/journal/<generation>.log`).
    var generation: UInt64
    /// The body's first byte in that file.
    var offset: Int
    /// The body's length.
    var length: Int
}

/// One record of the intake journal: a patch's queue facts and, in the file, its exact body.
///
/// On disk: `GRJ1 <header length> <body length>\n<header JSON>\n<body>\n`. The header carries the body's
/// SHA-256, so a record torn by a crash is recognised and cut off at recovery.
struct JournalRecord: Sendable {
    var patch: PendingPatch
    var location: JournalLocation

    static let magic = "GRJ1"

    /// The bytes of a record for `patch`, and the body's offset within them.
    static func encode(_ patch: PendingPatch, body: [UInt8]) -> (bytes: [UInt8], bodyOffset: Int) {
        var header: [String: JSONValue] = [
            "seq": .number(Double(patch.sequence)),
            "id": .string(patch.id),
            "hash": .string(patch.contentHash),
            "source": .string(patch.source.rawValue),
            "name": .string(patch.name),
            "received_at": .number(patch.receivedAt.timeIntervalSince1970),
            "body_sha256": .string(Digest.sha256(body)),
        ]
        if patch.attempt != 1 { header["attempt"] = .number(Double(patch.attempt)) }
        let headerBytes = JSONValue.object(header).serializedBytes
        var bytes = Array("\(magic) \(headerBytes.count) \(body.count)\n".utf8)
        bytes.reserveCapacity(bytes.count + headerBytes.count + body.count + 2)
        bytes.append(contentsOf: headerBytes)
        bytes.append(UInt8(ascii: "\n"))
        let bodyOffset = bytes.count
        bytes.append(contentsOf: body)
        bytes.append(UInt8(ascii: "\n"))
        return (bytes, bodyOffset)
    }

    /// Decodes every whole record of one journal file.
    /// - Returns: The records and the length of the valid prefix (anything after it is a torn write).
    static func decode(_ data: [UInt8], generation: UInt64) -> (records: [JournalRecord], validLength: Int) {
        var records: [JournalRecord] = []
        var position = 0
        while position < data.count {
            guard let lineEnd = data[position...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            let fields = String(decoding: data[position..<lineEnd], as: UTF8.self).split(separator: " ")
            guard fields.count == 3, fields[0] == magic, let headerLength = Int(fields[1]), let bodyLength = Int(fields[2]),
                headerLength >= 0, bodyLength >= 0
            else { break }
            let headerStart = lineEnd + 1
            let bodyStart = headerStart + headerLength + 1
            let end = bodyStart + bodyLength + 1
            guard end <= data.count, data[bodyStart - 1] == UInt8(ascii: "\n"), data[end - 1] == UInt8(ascii: "\n"),
                let header = try? JSONParser.parse(Array(data[headerStart..<headerStart + headerLength])),
                let sequence = header["seq"]?.doubleValue, let id = header["id"]?.stringValue,
                let hash = header["hash"]?.stringValue, let source = header["source"]?.stringValue.flatMap(Receipt.Source.init(rawValue:)),
                let name = header["name"]?.stringValue, let received = header["received_at"]?.doubleValue,
                header["body_sha256"]?.stringValue == Digest.sha256(Array(data[bodyStart..<bodyStart + bodyLength]))
            else { break }
            let patch = PendingPatch(
                sequence: UInt64(sequence),
                source: source,
                name: name,
                id: id,
                contentHash: hash,
                receivedAt: Date(timeIntervalSince1970: received),
                attempt: header["attempt"]?.doubleValue.map { Int($0) } ?? 1
            )
            records.append(JournalRecord(patch: patch, location: JournalLocation(generation: generation, offset: bodyStart, length: bodyLength)))
            position = end
        }
        return (records, position)
    }
}
