/// When an operation runs within its patch's transaction.
public enum Phase: String, Sendable, Hashable, CaseIterable {
    /// `preMutationValidation.shell` / `preCommit.shell`: before any file changes.
    case preValidation = "pre_validation"
    /// The file operations (and a v1 patch's own role).
    case mutation
    /// `postMutationBuild.shell`: after the file changes are in place.
    case postBuild = "post_build"
    /// `validate.shell`: last; a failure rolls back every file the patch changed.
    case validate
}
