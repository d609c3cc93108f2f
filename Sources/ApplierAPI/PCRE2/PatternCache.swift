import Synchronization

/// Compiled patterns by (pattern, options), shared by every queue of a host.
///
/// A host applies the same few patterns again and again; compiling and JIT-compiling once saves
/// most of a small patch's cost. The cache holds at most ``capacity`` patterns and starts over when full.
package final class PatternCache: Sendable {
    private struct Key: Hashable {
        var pattern: String
        var options: PatternOptions
    }

    /// The most patterns kept.
    package let capacity: Int
    private let storage = Mutex<[Key: CompiledPattern]>([:])

    /// An empty cache.
    package init(capacity: Int = 256) { self.capacity = capacity }

    /// The compiled pattern, compiling it on first use.
    /// - Throws: ``Reason/regexError`` when the pattern does not compile.
    package func pattern(_ pattern: String, options: PatternOptions) throws(ApplyError) -> CompiledPattern {
        let key = Key(pattern: pattern, options: options)
        if let cached = storage.withLock({ $0[key] }) { return cached }
        let compiled = try CompiledPattern(pattern, options: options)
        storage.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = compiled
        }
        return compiled
    }

    /// How many patterns are cached.
    package var count: Int { storage.withLock { $0.count } }
}
