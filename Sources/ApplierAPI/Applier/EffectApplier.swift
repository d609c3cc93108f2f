/// A role that acts on the world (runs a command) rather than computing file contents.
///
/// It runs after the file changes that precede it in the patch are in place, under the queue's
/// ``ShellPolicy``. A failed step (non-zero exit, time-out) fails the patch and the host rolls back
/// every file the patch changed.
public protocol EffectApplier: Sendable {
    /// The role's name, aliases and summary.
    var descriptor: RoleDescriptor { get }

    /// Runs one step.
    /// - Parameters:
    ///   - operation: The operation, with its payload (a command string or an object).
    ///   - context: The patch, workspace and policy.
    /// - Returns: What happened, including a failing exit status.
    /// - Throws: ``ApplyError`` when the step may not or cannot run at all
    ///   (``Reason/shellDisabled``, ``Reason/shellNotAllowed``, ``Reason/invalidPatch``).
    func run(_ operation: PatchOperation, context: EffectContext) async throws -> StepRecord

    /// Checks, before any step of the patch runs or any file is written, that this step may run at all.
    /// - Throws: ``ApplyError`` (``Reason/shellDisabled``, ``Reason/shellNotAllowed``, ``Reason/invalidPatch``).
    func preflight(_ operation: PatchOperation, context: EffectContext) throws(ApplyError)

    /// Checks the step's payload before the patch is accepted, so a step that could only fail is answered 422
    /// (an inbox file goes to `.failed/`). Reads nothing and runs nothing.
    /// - Throws: ``ApplyError`` (usually ``Reason/invalidPatch``) naming what is wrong.
    func validate(_ operation: PatchOperation) throws(ApplyError)

    /// True when running the step twice is harmless. A step the host was killed in the middle of is run
    /// again (with the whole patch) only when this is true; otherwise the patch fails with
    /// ``Reason/interrupted``.
    func isIdempotent(_ operation: PatchOperation) -> Bool
}

extension EffectApplier {
    /// No check: every step may run.
    public func preflight(_ operation: PatchOperation, context: EffectContext) throws(ApplyError) {}

    /// Accepts any payload: ``run(_:context:)`` checks it.
    public func validate(_ operation: PatchOperation) throws(ApplyError) {}

    /// Not idempotent: an interrupted step is never run again.
    public func isIdempotent(_ operation: PatchOperation) -> Bool { false }
}
