public import ApplierAPI

/// What a patch did to one file, as listed in the receipt's `files`.
public struct FileRecord: Sendable, Hashable {
    /// The path below the workspace root.
    public var path: String
    /// SHA-256 before the patch; `nil` when the file did not exist.
    public var beforeSHA256: String?
    /// SHA-256 after the patch; `nil` when the file does not exist afterwards.
    public var afterSHA256: String?
    /// Permission bits before, if the file existed.
    public var modeBefore: UInt16?
    /// Permission bits after, if the file exists.
    public var modeAfter: UInt16?

    /// True when bytes or mode differ.
    public var changed: Bool { beforeSHA256 != afterSHA256 || modeBefore != modeAfter }

    /// The record as receipt JSON.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "path": .string(path),
            "before_sha256": beforeSHA256.map(JSONValue.string) ?? .null,
            "after_sha256": afterSHA256.map(JSONValue.string) ?? .null,
            "changed": .bool(changed),
        ]
        if let modeBefore { object["mode_before"] = .string(Self.octal(modeBefore)) }
        if let modeAfter { object["mode_after"] = .string(Self.octal(modeAfter)) }
        return .object(object)
    }

    private static func octal(_ mode: UInt16) -> String {
        let text = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }
}
