package import ApplierAPI

/// Permission bits as patches write them.
package enum FileMode {
    /// Parses `"0755"`, `"755"`, `"0o755"` or a JSON number whose digits are octal (`755`), as in Ansible.
    /// - Throws: ``Reason/invalidPatch`` for anything else or a value above `0o777`: setuid, setgid and
    ///   sticky bits (`"4755"`) are refused, never set.
    package static func parse(_ value: JSONValue) throws(ApplyError) -> UInt16 {
        var text: String
        switch value {
        case .string(let string): text = string
        case .number:
            guard let whole = value.intValue, whole >= 0 else { throw invalid(value.serialized) }
            text = String(whole)
        default: throw invalid(value.serialized)
        }
        if text.hasPrefix("0o") { text.removeFirst(2) }
        guard !text.isEmpty, text.count <= 5, let bits = UInt16(text, radix: 8), bits <= 0o7777 else { throw invalid(value.serialized) }
        guard bits <= 0o777 else {
            throw ApplyError(
                .invalidPatch,
                "mode \(value.serialized) sets setuid, setgid or sticky bits; only permissions up to \"0777\" are allowed"
            )
        }
        return bits
    }

    /// `0644` style text for receipts and messages.
    package static func format(_ mode: UInt16) -> String {
        let octal = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - octal.count)) + octal
    }

    private static func invalid(_ text: String) -> ApplyError {
        ApplyError(.invalidPatch, "mode \(text) is not an octal permission such as \"0644\"")
    }
}

extension PatchOperation {
    /// The optional `mode` member, parsed with ``FileMode/parse(_:)``.
    func optionalMode() throws(ApplyError) -> UInt16? {
        guard let value = try member("mode") else { return nil }
        return try FileMode.parse(value)
    }
}
