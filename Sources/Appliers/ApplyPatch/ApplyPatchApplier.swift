package import ApplierAPI

/// `apply_patch`: applies OpenAI Codex's patch envelope (``CodexPatchParser``), all files or none.
///
/// Payload: the envelope text as a string, or `{"patch": "..."}` / `{"input": "..."}` (the tool call's
/// argument). Each chunk's `@@ anchor` lines must each fit one line after the previous chunk (and anchor),
/// and the chunk's old side one place after them, on search_replace's matching ladder (which covers
/// Codex's `seek_sequence` levels: exact, trailing whitespace, all surrounding whitespace, Unicode
/// punctuation), with one difference from Codex: where Codex takes the first place, GhostRunner insists on
/// exactly one and otherwise fails `ambiguous_match` with every candidate.
package struct ApplyPatchApplier: FilePatchApplier {
    /// A Codex patch applier.
    package init() {}

    /// `apply_patch`.
    package let descriptor = RoleDescriptor(
        name: "apply_patch",
        summary: "apply an OpenAI Codex patch (*** Begin Patch, Add/Delete/Update File, @@ chunks): the text or {patch}"
    )

    /// The envelope's file patches (no fuzz: Codex has none); a malformed envelope is refused with its line number.
    func filePatches(of operation: PatchOperation) throws(ApplyError) -> (patches: [FilePatch], fuzz: Int) {
        if case .string(let text) = operation.payload { return (try CodexPatchParser.parse(text), 0) }
        let input = try operation.optionalString("input")
        guard let text = try operation.optionalString("patch") ?? input else {
            throw ApplyError(.invalidPatch, "role 'apply_patch' needs the patch text: a string payload, or {\"patch\": \"*** Begin Patch...\"}")
        }
        return (try CodexPatchParser.parse(text), 0)
    }
}
