/// The JSON Schema (2020-12) of a patch for a set of roles, and the tool definitions a model is given
/// to write one: `ghost schema` and `GET /api/schema`.
///
/// The envelope schema covers the shapes the host takes: a single-role patch (`id`, `role`,
/// `target_file`, `patch`) whose `patch` must match its role's payload schema, a v2 block (`blockId`
/// or `id`, `mutations`, shell phases) whose mutations must match theirs, and the old system's shell
/// patch (an unknown role with a command line as its payload). A role that publishes no payload
/// schema accepts any payload here (its own check at intake still runs).
public enum PatchSchema {
    /// The shapes of tool definitions.
    public enum ToolShape: String, Sendable, CaseIterable {
        /// OpenAI function calling: `{"type": "function", "function": {"name", "description", "parameters"}}`.
        case openai
        /// Anthropic tool use: `{"name", "description", "input_schema"}`.
        case anthropic
    }

    /// The dialect every schema here is written in.
    public static let dialect = "https://json-schema.org/draft/2020-12/schema"

    /// The envelope's schema for `roles`.
    public static func document(for roles: [RoleDescriptor]) -> JSONValue {
        var definitions: [String: JSONValue] = [
            "id": id,
            "single": single(roles),
            "block": block(roles),
            "mutation": mutation(roles),
            // The old system's shell patch: a role this host does not know, with a command line as the payload.
            "seed_shell": [
                "type": "object",
                "required": ["id", "role", "patch"],
                "properties": [
                    "id": ["$ref": "#/$defs/id"],
                    "role": ["type": "string", "not": ["enum": .array(roles.flatMap(\.allNames).sorted().map(JSONValue.string))]],
                    "patch": ["type": "string", "minLength": 1],
                ],
                "description": "The old system's shell patch: a role this host does not know and a command line as the payload run as a shell step.",
            ],
            "phase": ["type": ["object", "null"], "properties": ["shell": ["type": "array", "items": payloadReference("shell", in: roles)]]],
        ]
        for role in roles { definitions[definitionName(role.name)] = role.payloadSchema ?? [:] }
        return [
            "$schema": .string(dialect),
            "$id": "urn:ghostrunner:patch",
            "title": "GhostRunner patch",
            "description":
                "A patch for GhostRunner: one role and its payload, or a v2 block of mutations and shell phases. POST it to /api/patches, drop it into a queue's inbox, or pipe it to ghost apply.",
            "anyOf": [["$ref": "#/$defs/single"], ["$ref": "#/$defs/block"], ["$ref": "#/$defs/seed_shell"]],
            "$defs": .object(definitions),
        ]
    }

    /// One tool per role (aliases aside), in `shape`: each call's arguments are a complete patch for that
    /// role, ready to be sent to `/api/patches` as they are.
    public static func tools(for roles: [RoleDescriptor], shape: ToolShape) -> JSONValue {
        .array(
            roles.map { role in
                let name = toolName(role.name)
                let description = JSONValue.string("Submit a GhostRunner patch with role \(role.name): \(role.summary).")
                let parameters = toolParameters(role)
                switch shape {
                case .openai: return ["type": "function", "function": ["name": .string(name), "description": description, "parameters": parameters]]
                case .anthropic: return ["name": .string(name), "description": description, "input_schema": parameters]
                }
            }
        )
    }

    /// The arguments of a role's tool: the envelope, its role fixed, its payload schema inlined.
    static func toolParameters(_ role: RoleDescriptor) -> JSONValue {
        var properties: [String: JSONValue] = [
            "id": idWithDescription,
            "role": ["enum": [.string(role.name)], "description": .string("Always \(role.name).")],
            "patch": role.payloadSchema ?? ["description": "The role's payload."],
            "description": ["type": "string", "description": "What the patch does, for the people reading receipts."],
        ]
        var required: [JSONValue] = ["id", "role"]
        if acceptsNoPayload(role) == false { required.append("patch") }
        switch role.targetFile {
        case .required:
            properties["target_file"] = targetFile
            required.append("target_file")
        case .optional: properties["target_file"] = targetFile
        case .unused: break
        }
        return ["type": "object", "properties": .object(properties), "required": .array(required)]
    }

    /// `ghost_<role>`, in the characters and length tool names allow.
    static func toolName(_ role: String) -> String {
        let cleaned = String(role.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "_" })
        return String(("ghost_" + cleaned).prefix(64))
    }

    private static let idPattern = "^[A-Za-z0-9._\\-()+:@]{1,200}$"

    private static let id: JSONValue = ["type": "string", "pattern": .string(idPattern)]

    private static let idWithDescription: JSONValue = [
        "type": "string",
        "pattern": .string(idPattern),
        "description": "A unique id (the idempotency key): letters, digits and ._-()+:@, up to 200 characters.",
    ]

    private static let targetFile: JSONValue = [
        "type": "string", "minLength": 1, "description": "The file to edit, relative to the workspace.",
    ]

    private static func single(_ roles: [RoleDescriptor]) -> JSONValue {
        let names = roles.flatMap(\.allNames).sorted()
        var conditions: [JSONValue] = []
        for role in roles {
            var then: [String: JSONValue] = ["properties": ["patch": payloadReference(role.name, in: roles)]]
            var required: [JSONValue] = []
            if role.targetFile == .required { required.append("target_file") }
            if acceptsNoPayload(role) == false { required.append("patch") }
            if !required.isEmpty { then["required"] = .array(required) }
            conditions.append([
                "if": ["properties": ["role": ["enum": .array(role.allNames.map(JSONValue.string))]], "required": ["role"]],
                "then": .object(then),
            ])
        }
        return [
            "type": "object",
            "required": ["id", "role"],
            "properties": [
                "id": ["$ref": "#/$defs/id"],
                "role": ["enum": .array(names.map(JSONValue.string))],
                "target_file": targetFile,
                "patch": ["description": "The role's payload."],
                "description": ["type": "string"],
                "metadata": ["type": "object"],
            ],
            "allOf": .array(conditions),
        ]
    }

    private static func block(_ roles: [RoleDescriptor]) -> JSONValue {
        let mutations: JSONValue = ["type": "array", "items": ["$ref": "#/$defs/mutation"]]
        var properties: [String: JSONValue] = [
            "id": ["$ref": "#/$defs/id"],
            "blockId": ["$ref": "#/$defs/id"],
            "mutations": mutations,
            "patch": ["type": "object", "properties": ["mutations": mutations]],
            "description": ["type": "string"],
            "metadata": ["type": "object"],
        ]
        for phase in ["preCommit", "preMutationValidation", "postMutationBuild", "validate"] { properties[phase] = ["$ref": "#/$defs/phase"] }
        return [
            "type": "object",
            "properties": .object(properties),
            "allOf": [
                ["anyOf": [["required": ["id"]], ["required": ["blockId"]]]],
                ["anyOf": [["required": ["mutations"]], ["required": ["patch"], "properties": ["patch": ["required": ["mutations"]]]]]],
            ],
        ]
    }

    /// A v2 mutation: `op` (default `upsert`) selects the role, and the mutation itself is its payload.
    private static func mutation(_ roles: [RoleDescriptor]) -> JSONValue {
        var conditions: [JSONValue] = []
        for role in roles where role.targetFile != .unused {
            conditions.append([
                "if": ["properties": ["op": ["enum": .array(role.allNames.map(JSONValue.string))]], "required": ["op"]],
                "then": payloadReference(role.name, in: roles),
            ])
        }
        return [
            "type": "object",
            "required": ["path"],
            "properties": [
                "path": targetFile,
                "op": ["type": "string", "minLength": 1, "description": "The role (default upsert, a whole-file write)."],
            ],
            "allOf": .array(conditions),
        ]
    }

    private static func payloadReference(_ role: String, in roles: [RoleDescriptor]) -> JSONValue {
        roles.contains { $0.name == role } ? ["$ref": .string("#/$defs/\(definitionName(role))")] : [:]
    }

    private static func definitionName(_ role: String) -> String { "payload_\(role)" }

    /// True when the role's payload may be left out (its schema allows `null`, as `delete`'s does).
    private static func acceptsNoPayload(_ role: RoleDescriptor) -> Bool {
        guard let type = role.payloadSchema?["type"] else { return role.payloadSchema == nil }
        return type == "null" || type.arrayValue?.contains("null") == true
    }
}
