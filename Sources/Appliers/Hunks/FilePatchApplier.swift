import ApplierAPI

/// A role whose payload is a text of files and hunks (a unified diff, a Codex patch): it only reads the
/// text into file patches; naming the files, applying the hunks and reporting is ``FilePatchSet``'s.
protocol FilePatchApplier: ContentApplier {
    /// The file patches the operation's payload holds, and how many context lines a hunk may set aside.
    /// - Throws: ``Reason/invalidPatch`` with the line of the text that is wrong.
    func filePatches(of operation: PatchOperation) throws(ApplyError) -> (patches: [FilePatch], fuzz: Int)
}

extension FilePatchApplier {
    /// Every file the text names (moves' destinations included). Reading the text here is the check at
    /// intake too: a malformed text is refused with its line number before the patch is queued.
    package func inputPaths(for operation: PatchOperation) throws(ApplyError) -> [String] {
        FilePatchSet(patches: try filePatches(of: operation).patches).paths
    }

    /// Applies every file's hunks, all files or none.
    package func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
        let (patches, fuzz) = try filePatches(of: operation)
        return try FilePatchSet(patches: patches).apply(files: files, fuzz: fuzz)
    }
}
