extension Patch {
    /// The characters an id may contain besides ASCII letters and digits.
    package static let idPunctuation: Set<Character> = [".", "_", "-", "(", ")", "+", ":", "@"]

    /// Shell phases of a block and the ``Phase`` each maps to, in the order they run.
    static let shellPhaseKeys: [(key: String, phase: Phase)] = [
        ("preCommit", .preValidation),
        ("preMutationValidation", .preValidation),
        ("postMutationBuild", .postBuild),
        ("validate", .validate),
    ]

    /// Parses JSON bytes into a patch.
    /// - Throws: ``Reason/invalidJSON`` with the line and column, or whatever ``parse(_:limits:)`` throws.
    public static func parse(json bytes: [UInt8], limits: PatchLimits = .default) throws(ApplyError) -> Patch {
        guard bytes.count <= limits.maxPatchBytes else {
            throw ApplyError(.limitExceeded, "patch is \(bytes.count) bytes; the limit is \(limits.maxPatchBytes)")
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw ApplyError(.invalidJSON, "not JSON: \(error)")
        }
        return try parse(document, limits: limits)
    }

    /// Validates an envelope (v1, v1 with `patch.mutations`, or v2 block) and normalises it into operations.
    /// - Throws: ``Reason/invalidPatch`` naming the offending field, or ``Reason/limitExceeded``.
    package static func parse(_ document: JSONValue, limits: PatchLimits = .default) throws(ApplyError) -> Patch {
        guard document.objectValue != nil else {
            throw ApplyError(.invalidPatch, "a patch is a JSON object, not \(article(document.typeName))")
        }
        let id = try parseID(document)
        let role = try optionalString(document, "role")
        let targetFile = try optionalString(document, "target_file")
        let description = document["description"]?.stringValue
        let payload = document["patch"]

        var mutations: [JSONValue]?
        if let top = document["mutations"] {
            guard let list = top.arrayValue else { throw invalid("'mutations' must be an array, not \(article(top.typeName))") }
            mutations = list
        } else if let inner = payload?["mutations"] {
            guard let list = inner.arrayValue else { throw invalid("'patch.mutations' must be an array, not \(article(inner.typeName))") }
            mutations = list
        }

        var phaseSources = [document]
        if let payload, payload.objectValue != nil, mutations != nil { phaseSources.append(payload) }
        var shellByPhase: [Phase: [JSONValue]] = [:]
        for (key, phase) in shellPhaseKeys {
            for source in phaseSources {
                shellByPhase[phase, default: []] += try shellCommands(source[key], field: key)
            }
        }

        var operations: [PatchOperation] = []
        func append(_ role: String, _ phase: Phase, _ target: String?, _ payload: JSONValue) {
            operations.append(PatchOperation(role: role, phase: phase, target: target, payload: payload, index: operations.count))
        }
        for command in shellByPhase[.preValidation] ?? [] { append("shell", .preValidation, nil, command) }

        let shape: Shape
        if let mutations {
            shape = .block
            for (position, mutation) in mutations.enumerated() {
                let (mutationRole, path) = try parseMutation(mutation, position: position)
                append(mutationRole, .mutation, path, mutation)
            }
        } else {
            shape = .single
            guard let role else {
                throw invalid("missing 'role' (or a 'mutations' list): GhostRunner cannot tell what to do with this patch")
            }
            guard !role.isEmpty else { throw invalid("'role' is empty") }
            append(role, .mutation, targetFile, payload ?? .null)
        }
        for command in shellByPhase[.postBuild] ?? [] { append("shell", .postBuild, nil, command) }
        for command in shellByPhase[.validate] ?? [] { append("shell", .validate, nil, command) }

        guard operations.count <= limits.maxOperations else {
            throw ApplyError(.limitExceeded, "patch has \(operations.count) operations; the limit is \(limits.maxOperations)")
        }
        return Patch(
            id: id,
            role: shape == .single ? role : nil,
            shape: shape,
            targetFile: targetFile,
            description: description,
            envelope: document,
            operations: operations
        )
    }

    /// Checks an id against the contract: 1–200 characters of letters, digits and `._-()+:@`.
    package static func validateID(_ id: String) throws(ApplyError) {
        guard !id.isEmpty, id.count <= 200 else { throw invalid("'id' must be 1 to 200 characters long") }
        for character in id where !(character.isASCII && (character.isLetter || character.isNumber)) && !idPunctuation.contains(character) {
            throw invalid("'id' may hold only letters, digits and ._-()+:@, found \(String(reflecting: String(character)))")
        }
    }

    private static func parseID(_ document: JSONValue) throws(ApplyError) -> String {
        let value = document["id"] ?? document["blockId"]
        guard let value else { throw invalid("missing 'id' (or v2 'blockId')") }
        guard let id = value.stringValue else { throw invalid("'id' must be a string, not \(article(value.typeName))") }
        try validateID(id)
        return id
    }

    private static func parseMutation(_ mutation: JSONValue, position: Int) throws(ApplyError) -> (role: String, path: String) {
        let field = "mutations[\(position)]"
        guard mutation.objectValue != nil else { throw invalid("\(field) must be an object, not \(article(mutation.typeName))") }
        guard let pathValue = mutation["path"] else { throw invalid("\(field) has no 'path'") }
        guard let path = pathValue.stringValue, !path.isEmpty else { throw invalid("\(field).path must be a non-empty string") }
        var role = "upsert"
        if let op = mutation["op"] {
            guard let name = op.stringValue, !name.isEmpty else { throw invalid("\(field).op must be a non-empty string") }
            role = name
        }
        if role == "upsert" {
            for insertRole in ["insertAfter", "insertBefore", "insertAt"] where mutation[insertRole] != nil {
                role = insertRole
                break
            }
        }
        return (role, path)
    }

    private static func shellCommands(_ phase: JSONValue?, field: String) throws(ApplyError) -> [JSONValue] {
        guard let phase, phase != .null else { return [] }
        guard phase.objectValue != nil else { throw invalid("'\(field)' must be an object with a 'shell' list") }
        guard let shell = phase["shell"] else { return [] }
        guard let commands = shell.arrayValue else { throw invalid("'\(field).shell' must be an array of commands") }
        for (position, command) in commands.enumerated() where command.stringValue == nil && command.objectValue == nil {
            throw invalid("'\(field).shell[\(position)]' must be a string or an object, not \(article(command.typeName))")
        }
        return commands
    }

    private static func optionalString(_ document: JSONValue, _ key: String) throws(ApplyError) -> String? {
        guard let value = document[key], value != .null else { return nil }
        guard let string = value.stringValue else { throw invalid("'\(key)' must be a string, not \(article(value.typeName))") }
        return string
    }

    private static func invalid(_ message: String) -> ApplyError { ApplyError(.invalidPatch, message) }

    private static func article(_ typeName: String) -> String {
        ["a", "e", "i", "o", "u"].contains(typeName.first.map(String.init) ?? "") ? "an \(typeName)" : "a \(typeName)"
    }
}
