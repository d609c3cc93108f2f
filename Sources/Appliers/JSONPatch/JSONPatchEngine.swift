import ApplierAPI

/// Applies RFC 6902 operations to a document, in order, each to the result of the ones before. The first
/// one that fails throws (with its index, its pointer and what is there instead), and the caller keeps
/// the document it had: nothing of the patch takes effect.
struct JSONPatchEngine {
    /// The document as the operations so far left it.
    private(set) var root: JSONNode
    /// How many values the document may grow to: copies double a document quickly, so each added value
    /// is counted against the file size limit (every value takes at least one byte).
    private var budget: Int

    /// An engine editing `root`, which may hold at most `maxValues` values.
    init(root: JSONNode, maxValues: Int) {
        self.root = root
        self.budget = maxValues - root.count(upTo: maxValues)
    }

    /// Applies one operation.
    /// - Throws: ``Reason/noMatch`` for a failed `test` or a path that is not there, ``Reason/limitExceeded``
    ///   when the document would grow too deep or too large; the message starts with the operation's label.
    mutating func apply(_ step: JSONPatchStep) throws(ApplyError) {
        do throws(ApplyError) {
            switch step.action {
            case .add(let value): try add(JSONNode(patch: value), at: step.path)
            case .remove: try remove(at: step.path)
            case .replace(let value): try replace(at: step.path, with: JSONNode(patch: value))
            case .copy(let from): try add(try root.value(at: from), at: step.path)
            case .move(let from):
                let value = try root.value(at: from)
                guard !from.isSame(as: step.path) else { return }
                try remove(at: from)
                try add(value, at: step.path, growing: false)
            case .test(let expected):
                let actual = try root.value(at: step.path)
                guard actual.isEqual(to: JSONNode(patch: expected)) else {
                    throw ApplyError(.noMatch, "test failed: the value is \(actual.preview()), not \(JSONNode(patch: expected).preview())")
                }
            }
        } catch {
            throw ApplyError(error.reason, "\(step.label): \(error.message)")
        }
    }

    /// Adds `value` at `path`; `growing` false for a value that left another place (a move).
    private mutating func add(_ value: JSONNode, at path: JSONPointer, growing: Bool = true) throws(ApplyError) {
        try charge(for: value, at: path, growing: growing)
        guard let key = path.tokens.last else {
            root = value.laidOut(like: root)
            return
        }
        try root.editParent(of: path) { parent throws(ApplyError) in
            switch parent.kind {
            case .object(var members):
                // An existing member is replaced where it stands; a new one goes at the end.
                let position = members.firstIndex { JSONNode.same($0.key, key) }
                parent.kind = .null
                if let position { members[position].value = value.laidOut(like: members[position].value) } else { members.append((key, value, nil)) }
                parent.kind = .object(members)
            case .array(var elements):
                let position = try parent.position(of: path, depth: path.tokens.count - 1, end: true)
                parent.kind = .null
                elements.insert(value, at: position)
                parent.kind = .array(elements)
            default:
                // Throws: a scalar has no members.
                _ = try parent.position(of: path, depth: path.tokens.count - 1, end: true)
            }
        }
    }

    private mutating func remove(at path: JSONPointer) throws(ApplyError) {
        try root.editParent(of: path) { parent throws(ApplyError) in
            let position = try parent.position(of: path, depth: path.tokens.count - 1, end: false)
            switch parent.kind {
            case .object(var members):
                parent.kind = .null
                members.remove(at: position)
                parent.kind = .object(members)
            case .array(var elements):
                parent.kind = .null
                elements.remove(at: position)
                parent.kind = .array(elements)
            default: break
            }
        }
    }

    private mutating func replace(at path: JSONPointer, with value: JSONNode) throws(ApplyError) {
        try charge(for: value, at: path, growing: true)
        guard !path.tokens.isEmpty else {
            root = value.laidOut(like: root)
            return
        }
        try root.editParent(of: path) { parent throws(ApplyError) in
            let position = try parent.position(of: path, depth: path.tokens.count - 1, end: false)
            switch parent.kind {
            case .object(var members):
                parent.kind = .null
                members[position].value = value.laidOut(like: members[position].value)
                parent.kind = .object(members)
            case .array(var elements):
                parent.kind = .null
                elements[position] = value.laidOut(like: elements[position])
                parent.kind = .array(elements)
            default: break
            }
        }
    }

    /// Counts `value` against the size budget, and refuses a result nested deeper than the host's parser reads.
    private mutating func charge(for value: JSONNode, at path: JSONPointer, growing: Bool) throws(ApplyError) {
        guard path.tokens.count + value.depth <= JSONParser.maximumDepth else {
            throw ApplyError(.limitExceeded, "the document would nest deeper than \(JSONParser.maximumDepth) levels")
        }
        guard growing else { return }
        budget -= value.count(upTo: max(budget, 0) + 1)
        guard budget >= 0 else { throw ApplyError(.limitExceeded, "the document would grow past the file size limit") }
    }
}
