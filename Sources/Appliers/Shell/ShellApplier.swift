package import ApplierAPI
import Foundation

/// `shell` (alias `command_patch`): runs a command in the workspace, only where the policy allows shell.
///
/// The environment is scrubbed to PATH, HOME and LANG plus what the policy and the step name (a step only
/// what ``StepEnvironment`` lets it); `cwd` is resolved inside the workspace; the command runs in its own
/// process group, which is killed at the time limit; the receipt keeps the exit status, the duration and
/// the tails of stdout and stderr. Under an allow list a pattern must match the whole command, which then
/// runs as plain words without a shell, its program found outside the workspace.
package struct ShellApplier: EffectApplier {
    /// `shell`, alias `command_patch`.
    package let descriptor = RoleDescriptor(
        name: "shell",
        aliases: ["command_patch"],
        summary: "run a command in the workspace (needs --allow-shell or a queue shell policy): string or {run|argv, cwd, timeout_s, env}",
        payloadSchema: BuiltinPayloadSchemas.shell,
        targetFile: .unused
    )

    private let cache: PatternCache

    /// A shell applier matching allow lists through `cache`.
    package init(cache: PatternCache = PatternCache()) { self.cache = cache }

    /// Fails unless the policy enables shell, the step's `env` sets only names it may (see
    /// ``StepEnvironment``) and its `cwd` is inside the workspace; under an allow list, also unless one
    /// pattern matches the whole command and the command is plain words (see ``CommandLineWords``).
    package func preflight(_ operation: PatchOperation, context: EffectContext) throws(ApplyError) {
        _ = try check(operation, context: context)
    }

    /// Refuses, before the patch is accepted, a step that is neither a command line nor `{run | argv, …}`
    /// with fields of the right types; whether shell may run at all is the queue's policy, checked later.
    package func validate(_ operation: PatchOperation) throws(ApplyError) {
        _ = try ShellCommand(payload: operation.payload)
    }

    /// The step's own `idempotent: true`.
    package func isIdempotent(_ operation: PatchOperation) -> Bool {
        (try? ShellCommand(payload: operation.payload))?.idempotent ?? false
    }

    /// Runs the step (after ``preflight(_:context:)``, which it repeats).
    ///
    /// Without an allow list a command line runs as `/bin/sh -c line`. Under one it runs as its words,
    /// with no shell, the program found by ``ProgramSearch`` on the policy's search path.
    package func run(_ operation: PatchOperation, context: EffectContext) async throws -> StepRecord {
        let (command, words) = try check(operation, context: context)
        let policy = context.policy
        var timeout = policy.timeout
        if let own = command.timeout, own < timeout { timeout = own }
        var directory = context.workspace
        if let cwd = command.cwd { directory = try context.resolveFolder(cwd) }
        var argv = command.argv
        var path = Self.searchPath(policy)
        if let words {
            let search = ProgramSearch(path: path, workspace: context.workspace)
            argv = [try search.locate(words[0], directory: directory)] + words.dropFirst()
            path = search.pathValue
        }
        let outcome = try await ProcessRunner(outputLimit: policy.outputTailBytes).run(
            argv,
            environment: Self.environment(policy: policy, step: command.environment, path: path),
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

    /// Every check of ``preflight(_:context:)``; returns the command and, under an allow list, the words to run.
    private func check(_ operation: PatchOperation, context: EffectContext) throws(ApplyError) -> (ShellCommand, [String]?) {
        let policy = context.policy
        let command = try ShellCommand(payload: operation.payload)
        guard policy.enabled else {
            throw ApplyError(.shellDisabled, "shell steps are off; pass --allow-shell or allow shell for the queue (command: \(command.display))")
        }
        try StepEnvironment.check(command.environment, policy: policy)
        if let cwd = command.cwd {
            do throws(ApplyError) {
                _ = try context.resolveFolder(cwd)
            } catch  where error.reason == .pathOutsideWorkspace || error.reason == .pathReserved {
                throw error
            } catch {
                // Not there yet: a file operation of the patch may create it. The run resolves it again.
            }
        }
        guard !policy.allow.isEmpty else { return (command, nil) }
        let text = Array(command.allowListText.utf8)
        var matched = false
        for pattern in policy.allow where try wholeCommand(pattern).matches(text) {
            matched = true
            break
        }
        guard matched else { throw ApplyError(.shellNotAllowed, "command is not on the queue's allow list: \(command.display)") }
        return (command, try command.words())
    }

    /// `pattern` compiled to match only a whole subject: `\A(?:pattern)\z`, after any leading `(*VERB)`
    /// settings. The pattern is compiled alone first, so an unbalanced one (`a)|(b`) cannot escape the group;
    /// `(*ACCEPT)`, which ends a match before `\z`, is refused.
    /// - Throws: ``Reason/regexError`` when the pattern does not compile or uses `(*ACCEPT)`.
    func wholeCommand(_ pattern: String) throws(ApplyError) -> CompiledPattern {
        guard !pattern.contains("(*ACCEPT") else {
            throw ApplyError(.regexError, "allow-list pattern \(pattern) uses (*ACCEPT), which could end a match before the end of the command")
        }
        _ = try cache.pattern(pattern, options: PatternOptions())
        var settings = ""
        var rest = Substring(pattern)
        while rest.hasPrefix("(*"), let close = rest.firstIndex(of: ")"),
            rest[rest.index(rest.startIndex, offsetBy: 2)..<close].allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" || $0 == "=" })
        {
            settings += rest[...close]
            rest = rest[rest.index(after: close)...]
        }
        return try cache.pattern(settings + "\\A(?:" + rest + ")\\z", options: PatternOptions())
    }

    /// The PATH programs are looked up in: `shell.path`, else the policy's `env` PATH, else the host's.
    static func searchPath(_ policy: ShellPolicy) -> String {
        policy.searchPath ?? policy.environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    }

    /// HOME and LANG from the host, the policy's and then the step's variables, and PATH set to `path`.
    static func environment(policy: ShellPolicy, step: [String: String], path: String) -> [String: String] {
        let host = ProcessInfo.processInfo.environment
        var environment: [String: String] = [:]
        for key in ["HOME", "LANG"] { environment[key] = host[key] }
        environment.merge(policy.environment) { _, new in new }
        environment.merge(step) { _, new in new }
        environment["PATH"] = path
        return environment
    }
}
