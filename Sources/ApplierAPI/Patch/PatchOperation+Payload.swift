extension PatchOperation {
    /// Where the payload's fields live: the v1 `patch` object, or the v2 mutation itself.
    private var fieldPrefix: String { phase == .mutation && target != nil ? "'\(role)' payload" : "payload" }

    /// The string member `key` of an object payload; `nil` when absent or null.
    /// - Throws: ``Reason/invalidPatch`` when present with another type, or when the payload is not an object.
    public func optionalString(_ key: String) throws(ApplyError) -> String? {
        guard let value = try member(key) else { return nil }
        guard let string = value.stringValue else {
            throw ApplyError(.invalidPatch, "\(fieldPrefix) field '\(key)' must be a string, not \(value.typeName)")
        }
        return string
    }

    /// The string member `key` of an object payload.
    /// - Throws: ``Reason/invalidPatch`` when absent or not a string.
    public func requiredString(_ key: String) throws(ApplyError) -> String {
        guard let string = try optionalString(key) else {
            throw ApplyError(.invalidPatch, "\(fieldPrefix) has no '\(key)' (role '\(role)' needs it)")
        }
        return string
    }

    /// The whole-number member `key`; `nil` when absent or null.
    /// - Throws: ``Reason/invalidPatch`` when present and not a whole number.
    public func optionalInt(_ key: String) throws(ApplyError) -> Int? {
        guard let value = try member(key) else { return nil }
        guard let number = value.intValue else {
            throw ApplyError(.invalidPatch, "\(fieldPrefix) field '\(key)' must be a whole number, not \(value.serialized)")
        }
        return number
    }

    /// The boolean member `key`; `nil` when absent or null.
    /// - Throws: ``Reason/invalidPatch`` when present and not a boolean.
    public func optionalBool(_ key: String) throws(ApplyError) -> Bool? {
        guard let value = try member(key) else { return nil }
        guard let flag = value.boolValue else {
            throw ApplyError(.invalidPatch, "\(fieldPrefix) field '\(key)' must be true or false, not \(value.serialized)")
        }
        return flag
    }

    /// The member `key` of an object payload, `nil` when absent or null.
    /// - Throws: ``Reason/invalidPatch`` when the payload is not an object.
    public func member(_ key: String) throws(ApplyError) -> JSONValue? {
        guard payload.objectValue != nil else {
            throw ApplyError(.invalidPatch, "role '\(role)' needs an object payload, not \(payload.typeName)")
        }
        guard let value = payload[key], value != .null else { return nil }
        return value
    }
}
