package import ApplierAPI

/// `unified_diff`: applies a git or GNU unified diff, several files at once, all or nothing.
///
/// Payload: the diff as a string, or `{"diff": "...", "fuzz"?: N}`. Each hunk's old side (context and
/// removed lines) is looked for on search_replace's matching ladder, after the previous hunk of its file,
/// and must fit exactly one place at the first level where it fits at all (else `ambiguous_match` with the
/// candidate lines; never the place nearest the line the header states). Context lines are never set aside
/// unless `fuzz` allows it. New, deleted, renamed files and mode changes follow git's extended headers.
package struct UnifiedDiffApplier: FilePatchApplier {
    /// `unified_diff`.
    package let descriptor = RoleDescriptor(
        name: "unified_diff",
        summary: "apply a git or GNU unified diff (several files, new/deleted/renamed files, modes): the diff text or {diff, fuzz}"
    )

    /// A unified diff applier.
    package init() {}

    /// The diff's file patches and the fuzz the payload allows; a malformed diff (a truncated hunk, wrong
    /// line counts, a binary diff) is refused with its line number.
    func filePatches(of operation: PatchOperation) throws(ApplyError) -> (patches: [FilePatch], fuzz: Int) {
        let diff: String
        var fuzz = 0
        if case .string(let text) = operation.payload {
            diff = text
        } else {
            diff = try operation.requiredString("diff")
            fuzz = try operation.optionalInt("fuzz") ?? 0
            guard fuzz >= 0 else { throw ApplyError(.invalidPatch, "'fuzz' must be 0 or more, not \(fuzz)") }
        }
        return (try UnifiedDiffParser.parse(diff, target: operation.target), fuzz)
    }
}
