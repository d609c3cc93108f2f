import ApplierAPI

/// Splits what `ghost apply` reads into patch documents: one JSON document, a JSON array of them, or
/// newline-delimited JSON (one per line).
enum PatchInput {
    /// One document to run, or the reason it cannot be read (with its raw bytes for the receipt).
    enum Item {
        case document(JSONValue, bytes: Int)
        case invalid(ApplyError)
    }

    static func split(_ bytes: [UInt8], limits: PatchLimits) -> [Item] {
        guard bytes.contains(where: { !isSpace($0) }) else {
            return [.invalid(ApplyError(.invalidJSON, "empty input: expected a patch (JSON object), an array of them, or NDJSON"))]
        }
        if bytes.count > limits.maxPatchBytes * 64 {
            return [.invalid(ApplyError(.limitExceeded, "input is \(bytes.count) bytes; at most \(limits.maxPatchBytes * 64) are read at once"))]
        }
        let whole: Result<JSONValue, JSONParseError> = Result { () throws(JSONParseError) in try JSONParser.parse(bytes) }
        switch whole {
        case .success(.array(let elements)):
            return elements.map { .document($0, bytes: 0) }
        case .success(let document):
            return [.document(document, bytes: bytes.count)]
        case .failure(let error):
            let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).filter { $0.contains(where: { !isSpace($0) }) }
            guard lines.count > 1 else { return [.invalid(ApplyError(.invalidJSON, "not JSON: \(error)"))] }
            return lines.enumerated().map { number, line in
                do {
                    return .document(try JSONParser.parse(Array(line)), bytes: line.count)
                } catch {
                    return .invalid(ApplyError(.invalidJSON, "NDJSON line \(number + 1) is not JSON: \(error)"))
                }
            }
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
}
