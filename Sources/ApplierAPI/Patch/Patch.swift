/// A parsed patch: its identity, the envelope as received, and its operations in the order they run.
public struct Patch: Sendable {
    /// How the envelope was written.
    package enum Shape: String, Sendable {
        /// v1: `id`, `role`, `target_file`, `patch`.
        case single
        /// v2 hardened block (`mutations[]` at the top or inside v1's `patch`).
        case block
    }

    /// The idempotency key (`id`, or v2's `blockId`).
    public var id: String
    /// The v1 `role`, if any (blocks have none).
    public var role: String?
    /// How the envelope was written.
    package var shape: Shape
    /// The v1 `target_file`, if any.
    public var targetFile: String?
    /// The optional `description`.
    public var description: String?
    /// The whole document as received.
    public var envelope: JSONValue
    /// The operations, in the order they run.
    public var operations: [PatchOperation]

    /// Top-level members GhostRunner does not interpret; they are echoed in the receipt.
    package var extraFields: [String: JSONValue] {
        guard let members = envelope.objectValue else { return [:] }
        return members.filter { !Self.knownFields.contains($0.key) }
    }

    /// A receipt's label for the patch's role: the v1 role, or `block`.
    package var roleLabel: String { role ?? "block" }

    /// Top-level members with a meaning to GhostRunner.
    package static let knownFields: Set<String> = [
        "id", "blockId", "role", "target_file", "patch", "description", "mutations",
        "preCommit", "preMutationValidation", "postMutationBuild", "validate",
    ]

    /// A patch built from its parts (see ``Patch/parse(_:limits:)`` for parsing a document).
    package init(
        id: String,
        role: String?,
        shape: Shape,
        targetFile: String?,
        description: String?,
        envelope: JSONValue,
        operations: [PatchOperation]
    ) {
        self.id = id
        self.role = role
        self.shape = shape
        self.targetFile = targetFile
        self.description = description
        self.envelope = envelope
        self.operations = operations
    }
}
