import ApplierAPI

extension JSONNode {
    /// The value `pointer` names.
    /// - Throws: ``Reason/noMatch`` saying where the path stopped and what is there instead.
    func value(at pointer: JSONPointer) throws(ApplyError) -> JSONNode {
        var node = self
        for depth in pointer.tokens.indices {
            let position = try node.position(of: pointer, depth: depth, end: false)
            node = node.child(at: position)
        }
        return node
    }

    /// Runs `body` on the container holding the value `pointer` names (the value need not exist), and marks
    /// that container and every one above it as changed.
    /// - Throws: ``Reason/noMatch`` when a container on the way is missing, or what `body` throws.
    mutating func editParent(of pointer: JSONPointer, _ body: (inout JSONNode) throws(ApplyError) -> Void) throws(ApplyError) {
        try edit(pointer, depth: 0, body)
    }

    private mutating func edit(_ pointer: JSONPointer, depth: Int, _ body: (inout JSONNode) throws(ApplyError) -> Void) throws(ApplyError) {
        text = nil
        guard depth < pointer.tokens.count - 1 else { return try body(&self) }
        let position = try self.position(of: pointer, depth: depth, end: false)
        switch kind {
        case .object(var members):
            kind = .null
            defer { kind = .object(members) }
            try members[position].value.edit(pointer, depth: depth + 1, body)
        case .array(var elements):
            kind = .null
            defer { kind = .array(elements) }
            try elements[position].edit(pointer, depth: depth + 1, body)
        default: break
        }
    }

    /// The child at a position ``position(of:depth:end:)`` returned.
    func child(at position: Int) -> JSONNode {
        switch kind {
        case .object(let members): members[position].value
        case .array(let elements): elements[position]
        default: self
        }
    }

    /// Where the token `pointer.tokens[depth]` is in this container: a member's index, or an array index
    /// (up to the array's length, or `-`, when `end` allows naming the end).
    /// - Throws: ``Reason/noMatch`` describing the container when there is no such member or element, or
    ///   this is no container.
    func position(of pointer: JSONPointer, depth: Int, end: Bool) throws(ApplyError) -> Int {
        let token = pointer.tokens[depth]
        // Worded only for a message: a pointer is walked a level at a time, and most walks succeed.
        func place() -> String { depth == 0 ? "the document" : pointer.prefix(depth).bounded() }
        switch kind {
        case .object(let members):
            if let index = members.firstIndex(where: { Self.same($0.key, token) }) { return index }
            throw ApplyError(.noMatch, "\(place()) has no member \(token.quoted()); \(describeMembers(of: members))\(hint(for: token, in: members))")
        case .array(let elements):
            if token == "-" {
                if end { return elements.count }
                throw ApplyError(.noMatch, "'-' names the end of \(place()), past its last element: only 'add' can use it")
            }
            let digits = token.utf8
            guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                digits.count == 1 || digits.first != UInt8(ascii: "0"), let index = Int(token)
            else {
                throw ApplyError(
                    .noMatch,
                    "\(place()) is an array and \(token.quoted()) is not an array index (digits without leading zeros, or '-' to add at the end)"
                )
            }
            let count = elements.count
            guard index < count || (end && index == count) else {
                let valid = count == 0 ? "it is empty" : "its indices are 0 to \(count - 1)"
                throw ApplyError(
                    .noMatch,
                    "\(place()) has \(count) element\(count == 1 ? "" : "s"), so no index \(index): \(valid)\(end ? "; \(count) or '-' adds at the end" : "")"
                )
            }
            return index
        default:
            throw ApplyError(.noMatch, "\(place()) is \(typeName) (\(preview(limit: 60))), which has no member or element \(token.quoted())")
        }
    }

    /// What a model most often got wrong when a member is missing: the case of the key, or a `/` in a key
    /// written as a path separator.
    private func hint(for token: String, in members: [Member]) -> String {
        if let near = members.first(where: { $0.key.lowercased() == token.lowercased() }) {
            return " (\(near.key.quoted()) differs only in case)"
        }
        if let near = members.first(where: { $0.key.hasPrefix(token + "/") }) {
            return
                " (\(near.key.quoted()) holds '/': in a pointer it is written '~1', as in \(("/" + near.key.replacing("~", with: "~0").replacing("/", with: "~1")).quoted()))"
        }
        return ""
    }

    private func describeMembers(of members: [Member]) -> String {
        guard !members.isEmpty else { return "it is an empty object" }
        let shown = members.prefix(8).map { $0.key.quoted(limit: 30) }.joined(separator: ", ")
        return "its members are \(shown)\(members.count > 8 ? " and \(members.count - 8) more" : "")"
    }
}
