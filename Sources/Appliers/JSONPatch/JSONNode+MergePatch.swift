import ApplierAPI

extension JSONNode {
    /// RFC 7396: `patch` merged into this value. An object patch sets its members (recursively), a `null`
    /// member removes one, anything else replaces the value whole. A member left as it was keeps its text.
    /// - Parameter changes: Counts the places that changed: a member added or removed, a value replaced
    ///   (whatever the new value holds, it counts once).
    func merged(with patch: JSONValue, changes: inout Int) -> JSONNode {
        guard let patchMembers = patch.objectValue else {
            let value = JSONNode(patch: patch)
            guard !value.isEqual(to: self) else { return self }
            changes += 1
            return value.laidOut(like: self)
        }
        guard case .object(var members) = kind else {
            var ignored = 0
            changes += 1
            return JSONNode(.object([])).merged(with: patch, changes: &ignored)
        }
        let before = changes
        for key in patchMembers.keys.sorted() {
            let value = patchMembers[key]!
            let position = members.firstIndex { Self.same($0.key, key) }
            switch (value, position) {
            case (.null, nil): continue
            case (.null, let position?):
                members.remove(at: position)
                changes += 1
            case (_, let position?):
                members[position].value = members[position].value.merged(with: value, changes: &changes)
            case (_, nil):
                var ignored = 0
                members.append((key, JSONNode(.null).merged(with: value, changes: &ignored), nil))
                changes += 1
            }
        }
        guard changes > before else { return self }
        var result = self
        result.kind = .object(members)
        result.text = nil
        return result
    }
}
