package import ApplierAPI

/// `ui_patch` (alias `regex`): PCRE2 global substitution in one file.
///
/// Payload: `pattern`, `replacement`, optional `flags` (`i m s x u`), optional `count` (the exact number
/// of matches expected), optional `extended` (force PCRE2's extended replacement syntax on or off).
package struct RegexApplier: ContentApplier {
    /// `ui_patch`, alias `regex`.
    package let descriptor = RoleDescriptor(
        name: "ui_patch",
        aliases: ["regex"],
        summary: "PCRE2 regex substitution in target_file: pattern, replacement ($1, ${name}, $$), flags imsxu, count",
        payloadSchema: BuiltinPayloadSchemas.regex
    )

    private let cache: PatternCache

    /// An applier compiling patterns through `cache` (share one cache per host).
    package init(cache: PatternCache = PatternCache()) { self.cache = cache }

    /// The payload's fields, checked: a pattern that compiles, a replacement, flags, count, extended.
    private func payload(
        _ operation: PatchOperation
    ) throws(ApplyError) -> (compiled: CompiledPattern, replacementText: String, expectedCount: Int?, extended: Bool?) {
        let pattern = try operation.requiredString("pattern")
        guard !pattern.isEmpty else { throw ApplyError(.invalidPatch, "'pattern' is empty: it would match everywhere") }
        let replacementText = try operation.requiredString("replacement")
        let options = try PatternOptions(flags: operation.optionalString("flags") ?? "")
        let expectedCount = try operation.optionalInt("count")
        let extended = try operation.optionalBool("extended")
        return (try cache.pattern(pattern, options: options), replacementText, expectedCount, extended)
    }

    /// Refuses a payload that could only fail: no pattern or replacement, bad flags, a pattern that does
    /// not compile.
    package func validate(_ operation: PatchOperation) throws(ApplyError) {
        _ = try payload(operation)
    }

    /// Substitutes every match; see the type's documentation for the payload.
    package func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
        let (compiled, replacementText, expectedCount, extended) = try payload(operation)
        let path = files.targetPath ?? ""
        let file = try TextChecks.existing(files, role: operation.role)
        try TextChecks.requireText(file, path: path)

        let replacement = Replacement(
            replacementText,
            extended: extended,
            groupCount: compiled.captureCount,
            groupNames: compiled.groupNames
        )
        let result = try compiled.substitute(
            in: file.bytes,
            replacement: replacement.pcre2Bytes,
            extendedSyntax: replacement.extended,
            outputLimit: context.limits.maxFileBytes,
            budget: context.regexBudget
        )

        if let expectedCount, expectedCount != result.count {
            throw ApplyError(.countMismatch, "expected \(expectedCount) match(es) of the pattern in \(path), found \(result.count); nothing written")
        }
        if result.count == 0 {
            // Never "unchanged" on a guess: a short replacement occurs in many files that were never
            // patched. The text being there is only a hint for whoever reads the failure.
            var message = "the pattern matches nowhere in \(path)"
            if let literal = replacement.literalBytes, !literal.isEmpty, let found = file.bytes.firstRange(of: literal) {
                let line = file.bytes[..<found.lowerBound].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
                message += "; the replacement text is already present at line \(line) (if this patch was applied before, there is nothing left to do)"
            }
            throw ApplyError(.noMatch, message)
        }
        if result.output == file.bytes {
            return ContentResult(changes: [], details: ["matches": .number(Double(result.count)), "note": "replacement equals the matched text"])
        }
        return ContentResult(
            changes: [FileChange(path: path, action: .write(result.output, mode: nil))],
            details: ["matches": .number(Double(result.count))]
        )
    }
}
