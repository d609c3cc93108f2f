/// A role that edits files: a pure function from the patch and the current bytes to new bytes.
///
/// The host does every bit of file I/O: it resolves and checks the paths, reads the files
/// (as staged earlier in the same patch), writes the result atomically, records hashes and diffs,
/// and undoes everything when a later step fails. An applier only computes.
public protocol ContentApplier: Sendable {
    /// The role's name, aliases and summary.
    var descriptor: RoleDescriptor { get }

    /// The paths whose current contents ``apply(_:files:context:)`` needs.
    /// - Parameter operation: The operation about to be applied.
    /// - Returns: Paths as written in the patch; the default is the operation's `target`.
    func inputPaths(for operation: PatchOperation) throws(ApplyError) -> [String]

    /// Checks the operation's payload before the patch is accepted, so a queue answers 422 (an inbox file
    /// goes to `.failed/`) instead of accepting a patch that can only fail. Reads nothing on disk.
    /// - Throws: ``ApplyError`` (usually ``Reason/invalidPatch``) naming what is wrong. The default accepts
    ///   any payload.
    func validate(_ operation: PatchOperation) throws(ApplyError)

    /// Computes the changes for one operation.
    /// - Parameters:
    ///   - operation: The operation, with its role-specific payload.
    ///   - files: The current contents of ``inputPaths(for:)``.
    ///   - context: The patch and workspace the operation belongs to.
    /// - Returns: The changes to make (empty when the file already has the desired state).
    /// - Throws: ``ApplyError`` with a stable ``Reason``; any other error fails the patch as `io_error`.
    func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult
}

extension ContentApplier {
    /// Accepts any payload: ``apply(_:files:context:)`` checks it.
    public func validate(_ operation: PatchOperation) throws(ApplyError) {}

    /// The operation's `target`; an operation without one fails with ``Reason/invalidPatch``.
    public func inputPaths(for operation: PatchOperation) throws(ApplyError) -> [String] {
        guard let target = operation.target, !target.isEmpty else {
            throw ApplyError(.invalidPatch, "role '\(operation.role)' needs a 'target_file' (or a mutation 'path')")
        }
        return [target]
    }
}
