package import ApplierAPI

/// The v2 insert operations: `insertAfter`, `insertBefore` (an anchor text) and `insertAt` (a place).
///
/// Payload: `contents`, and the anchor under the role's own name (`"insertAfter": "import React from 'react';\n"`)
/// or under `anchor`. `insertAt` takes a 1-based line number (the text goes before that line; one past
/// the last line appends) or `start` / `end`. The first occurrence of an anchor is used. When the
/// contents already stand at that place the result is `unchanged`, so a patch can be applied twice.
/// An anchor that is missing fails `no_match` unless `fallback` is `append`, `prepend` or `skip`.
package struct InsertApplier: ContentApplier {
    /// Where the text goes.
    package enum Placement: String, Sendable, CaseIterable {
        /// Right after the anchor.
        case after = "insertAfter"
        /// Right before the anchor.
        case before = "insertBefore"
        /// At a line number, the start or the end.
        case at = "insertAt"
    }

    /// The role's descriptor.
    package let descriptor: RoleDescriptor
    private let placement: Placement

    /// An insert applier for one placement.
    package init(_ placement: Placement) {
        self.placement = placement
        let summary: String
        switch placement {
        case .after: summary = "insert contents right after the first occurrence of an anchor text"
        case .before: summary = "insert contents right before the first occurrence of an anchor text"
        case .at: summary = "insert contents at a 1-based line number, start or end"
        }
        descriptor = RoleDescriptor(
            name: placement.rawValue,
            summary: summary,
            payloadSchema: placement == .at ? BuiltinPayloadSchemas.insertAt : BuiltinPayloadSchemas.insert(placement.rawValue)
        )
    }

    /// Refuses, before the patch is accepted, a payload without `contents`, without its anchor or place, or
    /// with an unknown `fallback`.
    package func validate(_ operation: PatchOperation) throws(ApplyError) {
        _ = try operation.requiredString("contents")
        if placement == .at {
            _ = try place(of: operation)
        } else {
            _ = try anchorText(of: operation)
        }
        if let fallback = try operation.optionalString("fallback"), !Self.fallbacks.contains(fallback) {
            throw Self.unknownFallback(fallback)
        }
    }

    private static let fallbacks: Set<String> = ["error", "append", "end", "prepend", "start", "skip"]

    private static func unknownFallback(_ fallback: String) -> ApplyError {
        ApplyError(.invalidPatch, "unknown fallback '\(fallback)' (use append, prepend, skip or error)")
    }

    /// Inserts `contents`; see the type's documentation.
    package func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
        let contents = Array(try operation.requiredString("contents").utf8)
        let path = files.targetPath ?? ""
        let file = try TextChecks.existing(files, role: operation.role)
        try TextChecks.requireText(file, path: path)
        let bytes = file.bytes

        let offset: Int
        switch try resolveOffset(operation, bytes: bytes, path: path) {
        case .offset(let value): offset = value
        case .skip: return ContentResult(changes: [], details: ["note": "anchor not found; fallback skip"])
        }
        let alreadyThere: Bool
        if placement == .before, offset >= contents.count {
            alreadyThere = bytes[(offset - contents.count)..<offset].elementsEqual(contents)
        } else {
            alreadyThere = bytes.count - offset >= contents.count && bytes[offset..<(offset + contents.count)].elementsEqual(contents)
        }
        if alreadyThere { return ContentResult(changes: [], details: ["note": "already_applied"]) }
        var output = bytes
        output.insert(contentsOf: contents, at: offset)
        return ContentResult(changes: [FileChange(path: path, action: .write(output, mode: nil))], details: ["offset": .number(Double(offset))])
    }

    private enum Resolution {
        case offset(Int)
        case skip
    }

    private func resolveOffset(_ operation: PatchOperation, bytes: [UInt8], path: String) throws(ApplyError) -> Resolution {
        if placement == .at { return .offset(try lineOffset(try place(of: operation), bytes: bytes, path: path)) }
        let anchor = Array(try anchorText(of: operation).utf8)
        if let range = bytes.firstRange(of: anchor) {
            return .offset(placement == .after ? range.upperBound : range.lowerBound)
        }
        switch try operation.optionalString("fallback") {
        case nil, "error": throw ApplyError(.noMatch, "anchor text not found in \(path)")
        case "append", "end": return .offset(bytes.count)
        case "prepend", "start": return .offset(0)
        case "skip": return .skip
        case let other?: throw Self.unknownFallback(other)
        }
    }

    /// `insertAt`'s place (under its name or `anchor`).
    private func place(of operation: PatchOperation) throws(ApplyError) -> JSONValue {
        let named = try operation.member(placement.rawValue)
        let anchor = try operation.member("anchor")
        guard let value = named ?? anchor else {
            throw ApplyError(.invalidPatch, "role 'insertAt' needs 'insertAt': a line number, \"start\" or \"end\"")
        }
        return value
    }

    /// The anchor text of `insertAfter` and `insertBefore` (under the role's name or `anchor`), not empty.
    private func anchorText(of operation: PatchOperation) throws(ApplyError) -> String {
        let named = try operation.optionalString(placement.rawValue)
        let anchor = try operation.optionalString("anchor")
        guard let text = named ?? anchor, !text.isEmpty else {
            throw ApplyError(.invalidPatch, "role '\(placement.rawValue)' needs a non-empty '\(placement.rawValue)' anchor text")
        }
        return text
    }

    private func lineOffset(_ value: JSONValue, bytes: [UInt8], path: String) throws(ApplyError) -> Int {
        let text = value.stringValue ?? value.intValue.map(String.init) ?? ""
        switch text.lowercased() {
        case "start", "top", "begin", "beginning": return 0
        case "end", "bottom": return bytes.count
        default: break
        }
        guard let line = Int(text), line >= 1 else {
            throw ApplyError(.invalidPatch, "'insertAt' must be a 1-based line number, \"start\" or \"end\", not \(value.serialized)")
        }
        var currentLine = 1
        var index = 0
        while currentLine < line {
            guard let newline = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) else {
                if currentLine == line - 1 { return bytes.count }
                throw ApplyError(.noMatch, "\(path) has fewer than \(line - 1) lines")
            }
            index = newline + 1
            currentLine += 1
        }
        return index
    }
}
