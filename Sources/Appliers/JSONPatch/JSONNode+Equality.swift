extension JSONNode {
    /// RFC 6902's equality (what `test` checks): same type; numbers equal by value (`1`, `1.0` and `10e-1`),
    /// compared as doubles since the patch's own numbers reach the role as doubles; strings and keys equal
    /// code point for code point; arrays element by element; objects with the same members in any order.
    func isEqual(to other: JSONNode) -> Bool {
        switch (kind, other.kind) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b || Double(a) == Double(b)
        case (.string(let a), .string(let b)): return Self.same(a, b)
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.isEqual(to: $1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            if zip(a, b).allSatisfy({ Self.same($0.key, $1.key) && $0.value.isEqual(to: $1.value) }) { return true }
            // Same members in another order: compare in key order (keys of one object are distinct).
            let order: (Member, Member) -> Bool = { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return zip(a.sorted(by: order), b.sorted(by: order)).allSatisfy { Self.same($0.key, $1.key) && $0.value.isEqual(to: $1.value) }
        default: return false
        }
    }

    /// Whether two strings hold the same code points (Swift's `==` also equates canonically equivalent
    /// strings, which JSON does not).
    static func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }
}
