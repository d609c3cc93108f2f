import ApplierAPI

/// Reads the payloads of `json_patch` and `json_merge_patch`.
///
/// v1 (`"patch": …`): `json_patch` takes the operations array itself or `{"operations": […]}`;
/// `json_merge_patch` takes the merge document itself, or `{"merge": …}` (the only member) for a merge
/// document that is not an object or whose only member is named `merge`. A v2 mutation (`{"op":
/// "json_patch", "path": …}`) carries them in `operations` and `merge`.
enum JSONPatchPayload {
    /// The checked operations of a `json_patch` payload.
    /// - Throws: ``Reason/invalidPatch`` naming what is wrong (with the operation's index).
    static func steps(of operation: PatchOperation) throws(ApplyError) -> [JSONPatchStep] {
        let list: [JSONValue]
        switch body(of: operation) {
        case .array(let elements): list = elements
        case .object(let members) where members.keys.sorted() == ["operations"]:
            guard let elements = members["operations"]?.arrayValue else {
                throw ApplyError(.invalidPatch, "json_patch: 'operations' must be an array of RFC 6902 operations")
            }
            list = elements
        case let other:
            throw ApplyError(
                .invalidPatch,
                "json_patch: the payload is an array of RFC 6902 operations ([{\"op\": \"replace\", \"path\": \"/a\", \"value\": 1}]) "
                    + "or {\"operations\": [...]}, not \(describe(other))"
            )
        }
        var steps: [JSONPatchStep] = []
        for (index, element) in list.enumerated() { steps.append(try JSONPatchStep(element, index: index)) }
        return steps
    }

    /// The merge document of a `json_merge_patch` payload.
    /// - Throws: ``Reason/invalidPatch`` for a payload that is not an object, or a v2 mutation without `merge`.
    static func mergeDocument(of operation: PatchOperation) throws(ApplyError) -> JSONValue {
        let body = body(of: operation)
        guard let members = body.objectValue else {
            throw ApplyError(
                .invalidPatch,
                "json_merge_patch: the payload is the merge document, an object ({\"a\": 1, \"b\": null}), or {\"merge\": …} "
                    + "for any other JSON value; not \(describe(body))"
            )
        }
        if members.count == 1, let merge = members["merge"] { return merge }
        guard !isMutation(operation) else {
            throw ApplyError(.invalidPatch, "json_merge_patch: a v2 mutation carries the merge document in 'merge'")
        }
        return body
    }

    /// The payload without a v2 mutation's own `op` and `path`.
    private static func body(of operation: PatchOperation) -> JSONValue {
        guard isMutation(operation), var members = operation.payload.objectValue else { return operation.payload }
        members["op"] = nil
        members["path"] = nil
        return .object(members)
    }

    /// Whether the payload is a v2 mutation object (its `op` names this role and its `path` the target)
    /// rather than a v1 `patch`.
    private static func isMutation(_ operation: PatchOperation) -> Bool {
        operation.payload["op"]?.stringValue == operation.role && operation.payload["path"]?.stringValue == operation.target
    }

    private static func describe(_ value: JSONValue) -> String {
        if let members = value.objectValue {
            return members.isEmpty
                ? "an empty object" : "an object with " + members.keys.sorted().prefix(8).map { $0.quoted(limit: 30) }.joined(separator: ", ")
        }
        return value.typeName
    }
}
