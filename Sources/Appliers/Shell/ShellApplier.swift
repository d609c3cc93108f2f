public import ApplierAPI
import Foundation

/// `shell` (alias `command_patch`): runs a command in the workspace, only where the policy allows shell.
///
/// The environment is scrubbed to PATH, HOME and LANG plus what the policy and the step name; the command
/// runs in its own process group, which is killed at the time limit; the receipt keeps the exit status,
/// the duration and the tails of stdout and stderr.
public struct ShellApplier: EffectApplier {
    /// `shell`, alias `command_patch`.
    public let descriptor = RoleDescriptor(
        name: "shell",
        aliases: ["command_patch"],
        summary: "run a command in the workspace (needs --allow-shell or a queue shell policy): string or {run|argv, cwd, timeout_s, env}"
    )

    private let cache: PatternCache

    /// A shell applier matching allow lists through `cache`.
    public init(cache: PatternCache = PatternCache()) { self.cache = cache }

    /// Fails unless the policy enables shell and, when it has an allow list, the command is on it.
    public func preflight(_ operation: PatchOperation, context: EffectContext) throws(ApplyError) {
        let policy = context.policy
        let command = try ShellCommand(payload: operation.payload)
        guard policy.enabled else {
            throw ApplyError(.shellDisabled, "shell steps are off; pass --allow-shell or allow shell for the queue (command: \(command.display))")
        }
        guard !policy.allow.isEmpty else { return }
        let text = Array(command.display.utf8)
        for pattern in policy.allow where try cache.pattern(pattern, options: PatternOptions()).matches(text) { return }
        throw ApplyError(.shellNotAllowed, "command is not on the queue's allow list: \(command.display)")
    }

    /// The step's own `idempotent: true`.
    public func isIdempotent(_ operation: PatchOperation) -> Bool {
        (try? ShellCommand(payload: operation.payload))?.idempotent ?? false
    }

    /// Runs the step (after ``preflight(_:context:)``, which it repeats).
    public func run(_ operation: PatchOperation, context: EffectContext) async throws -> StepRecord {
        try preflight(operation, context: context)
        let policy = context.policy
        let command = try ShellCommand(payload: operation.payload)
        var timeout = policy.timeout
        if let own = command.timeout, own < timeout { timeout = own }
        let directory = command.cwd.map { context.workspace + "/" + $0 } ?? context.workspace
        let outcome = try await ProcessRunner(outputLimit: policy.outputTailBytes).run(
            command.argv,
            environment: Self.environment(policy: policy, step: command.environment),
            workingDirectory: directory,
            timeout: timeout
        )
        return StepRecord(
            phase: operation.phase,
            command: command.display,
            exitCode: outcome.exitCode,
            timedOut: outcome.timedOut,
            durationMs: outcome.durationMs,
            stdoutTail: String(decoding: outcome.stdout, as: UTF8.self),
            stderrTail: String(decoding: outcome.stderr, as: UTF8.self),
            truncated: outcome.stdoutOverflowed || outcome.stderrOverflowed
        )
    }

    /// PATH, HOME and LANG from the host (PATH defaulting to the usual folders), then the policy's and the step's variables.
    static func environment(policy: ShellPolicy, step: [String: String]) -> [String: String] {
        let host = ProcessInfo.processInfo.environment
        var environment = ["PATH": host["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"]
        for key in ["HOME", "LANG"] { environment[key] = host[key] }
        environment.merge(policy.environment) { _, new in new }
        environment.merge(step) { _, new in new }
        return environment
    }
}
