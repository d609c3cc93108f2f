public import ApplierAPI
public import Foundation

/// Runs patches: resolves each operation's applier, feeds content appliers the current files, stages
/// their changes, runs effect steps with the files in place, and commits or rolls back the whole patch.
public struct PatchRunner: Sendable {
    /// The roles this runner knows.
    public let registry: ApplierRegistry

    /// A runner over a registry (``ApplierRegistry/builtIn(cache:)`` plus any custom roles).
    public init(registry: ApplierRegistry) { self.registry = registry }

    /// Parses and runs one JSON document; a document that does not parse gives a failed receipt.
    public func run(json bytes: [UInt8], in workspace: Workspace, options: RunOptions, receivedAt: Date = Date()) async -> Receipt {
        do {
            let patch = try Patch.parse(json: bytes, limits: options.limits)
            return await run(patch, in: workspace, options: options, receivedAt: receivedAt)
        } catch {
            return Self.rejected(document: try? JSONParser.parse(bytes), error: error, options: options, receivedAt: receivedAt)
        }
    }

    /// Runs one parsed patch as a transaction.
    public func run(_ patch: Patch, in workspace: Workspace, options: RunOptions, receivedAt: Date = Date()) async -> Receipt {
        await run(patch, in: workspace, options: options, receivedAt: receivedAt, intent: nil)
    }

    /// Runs one parsed patch as a transaction, announcing every workspace change in `intent`'s log first.
    func run(_ patch: Patch, in workspace: Workspace, options: RunOptions, receivedAt: Date, intent: IntentContext?) async -> Receipt {
        let clock = ContinuousClock()
        let started = clock.now
        var receipt = Receipt(for: patch, options: options, receivedAt: receivedAt)
        receipt.checkOnly = options.checkOnly
        let transaction = Transaction(workspace: workspace, maxFileBytes: options.limits.maxFileBytes, intent: options.checkOnly ? nil : intent)
        var ranSteps = false
        do {
            let effectContext = EffectContext(patch: patch, workspace: workspace.root, policy: options.shellPolicy)
            let entries = try patch.operations.map { operation throws(ApplyError) in try entry(for: operation) }
            if !options.checkOnly {
                for (operation, entry) in zip(patch.operations, entries) {
                    if case .effect(let applier) = entry { try applier.preflight(operation, context: effectContext) }
                }
            }
            for (operation, entry) in zip(patch.operations, entries) {
                switch entry {
                case .content(let applier):
                    receipt.operations.append(try await applyContent(applier, operation, patch: patch, transaction: transaction, options: options))
                case .effect(let applier):
                    guard !options.checkOnly else {
                        receipt.steps.append(
                            StepRecord(
                                phase: operation.phase,
                                command: operation.payload.stringValue ?? operation.payload.serialized,
                                exitCode: nil,
                                durationMs: 0,
                                stdoutTail: "",
                                stderrTail: "skipped: --check runs no step"
                            )
                        )
                        continue
                    }
                    try transaction.flush(final: false)
                    try transaction.beginStep(
                        "\(operation.phase.rawValue): \(operation.payload.stringValue ?? operation.payload.serialized)",
                        idempotent: applier.isIdempotent(operation)
                    )
                    let step = try await applier.run(operation, context: effectContext)
                    receipt.steps.append(step)
                    ranSteps = true
                    if step.timedOut {
                        throw ApplyError(.timeout, "\(operation.phase.rawValue) step timed out and was killed: \(step.command)")
                    }
                    if !step.succeeded {
                        let status = step.exitCode.map { "exited with status \($0)" } ?? "was killed by a signal"
                        throw ApplyError(.commandFailed, "\(operation.phase.rawValue) step \(status): \(step.command)")
                    }
                }
            }
            if !options.checkOnly { try transaction.flush(final: true) }
        } catch {
            let failure = error as? ApplyError ?? ApplyError(.ioError, "\(error)")
            receipt.status = .failed
            receipt.reason = failure.reason
            receipt.message = failure.message
            if !options.checkOnly {
                let leftovers = transaction.rollback()
                if !leftovers.isEmpty { receipt.message! += "; ROLLBACK INCOMPLETE: " + leftovers.joined(separator: "; ") }
            }
        }
        if receipt.status != .failed || options.checkOnly {
            await record(transaction, into: &receipt, options: options, keepDiff: receipt.status != .failed)
            if receipt.status != .failed && !ranSteps && !receipt.files.contains(where: \.changed) { receipt.status = .unchanged }
        }
        receipt.finishedAt = Date()
        receipt.durationMs = (clock.now - started).milliseconds
        return receipt
    }

    /// Checks what can be checked before a patch is queued: every role is known and every content operation
    /// names its files. A queue refuses a patch that fails this (HTTP 422) instead of failing it later.
    public func validate(_ patch: Patch) throws(ApplyError) {
        for operation in patch.operations {
            if case .content(let applier) = try entry(for: operation) { _ = try applier.inputPaths(for: operation) }
        }
    }

    /// The applier for an operation. A v1 envelope whose role is unknown but whose `patch` is a string is
    /// the seed's shell patch (`"role": "ghost-system", "patch": "echo ..."`): it runs as a shell step.
    private func entry(for operation: PatchOperation) throws(ApplyError) -> ApplierRegistry.Entry {
        if let entry = registry.entry(for: operation.role) { return entry }
        if operation.phase == .mutation, operation.payload.stringValue != nil, let shell = registry.entry(for: "shell") { return shell }
        throw ApplyError(.unknownRole, "unknown role '\(operation.role)'; known roles: \(registry.knownNames.joined(separator: ", "))")
    }

    private func applyContent(
        _ applier: any ContentApplier,
        _ operation: PatchOperation,
        patch: Patch,
        transaction: Transaction,
        options: RunOptions
    ) async throws -> JSONValue {
        var files: [String: FileContent?] = [:]
        var canonicalTarget: String?
        for path in try applier.inputPaths(for: operation) {
            let (relative, content) = try transaction.read(path)
            files[path] = .some(content)
            if path == operation.target { canonicalTarget = relative }
        }
        let context = ApplyContext(patch: patch, workspace: transaction.workspace.root, checkOnly: options.checkOnly)
        let result = try await applier.apply(operation, files: FileSet(files: files, targetPath: operation.target), context: context)
        for change in result.changes { try transaction.stage(change) }
        var details = result.details
        details["role"] = .string(operation.role)
        details["phase"] = .string(operation.phase.rawValue)
        if let target = canonicalTarget ?? operation.target { details["target"] = .string(target) }
        return .object(details)
    }

    private func record(_ transaction: Transaction, into receipt: inout Receipt, options: RunOptions, keepDiff: Bool) async {
        var diff = ""
        let entries = transaction.order.compactMap { relative in transaction.entries[relative].map { (relative, $0) } }
        // Before and after hashes of every file, computed side by side: on a large file they cost as much as the regex.
        var known: [(before: String?, after: String?)] = []
        for (relative, _) in entries { known.append(await transaction.knownDigests(relative)) }
        let hashes = await withTaskGroup(of: (Int, Bool, String).self) { group in
            var byFile = [(before: String?, after: String?)](repeating: (nil, nil), count: entries.count)
            for (index, (_, entry)) in entries.enumerated() {
                // The intent log, or a task started when the file was read or written, may have hashed them already.
                let known = known[index]
                byFile[index] = (entry.original == nil ? nil : known.before, entry.staged == nil ? nil : known.after)
                if let original = entry.original?.bytes, known.before == nil { group.addTask { (index, false, Digest.sha256(original)) } }
                if let staged = entry.staged?.bytes, known.after == nil { group.addTask { (index, true, Digest.sha256(staged)) } }
            }
            for await (index, isAfter, hash) in group {
                if isAfter { byFile[index].after = hash } else { byFile[index].before = hash }
            }
            return byFile
        }
        for (index, (relative, entry)) in entries.enumerated() {
            let record = FileRecord(
                path: relative,
                beforeSHA256: hashes[index].before,
                afterSHA256: hashes[index].after,
                modeBefore: entry.original?.mode,
                modeAfter: entry.staged?.mode
            )
            receipt.files.append(record)
            guard keepDiff, record.changed, entry.original?.bytes != entry.staged?.bytes else { continue }
            let sizes = [entry.original?.bytes.count ?? 0, entry.staged?.bytes.count ?? 0]
            if sizes.contains(where: { $0 > options.diffMaxFileBytes }) {
                receipt.diffNote = "no diff for files over \(options.diffMaxFileBytes) bytes (\(relative)); see the hashes"
                continue
            }
            diff += UnifiedDiff.make(path: relative, old: entry.original?.bytes, new: entry.staged?.bytes)
        }
        if diff.utf8.count > options.diffMaxBytes {
            receipt.diffNote = "diff cut at \(options.diffMaxBytes) bytes"
            diff = String(decoding: diff.utf8.prefix(options.diffMaxBytes), as: UTF8.self)
        }
        receipt.diff = diff
    }

    /// The receipt for input that is not a patch: the id and role are reported when they can be read.
    public static func rejected(document: JSONValue?, error: any Error, options: RunOptions, receivedAt: Date = Date()) -> Receipt {
        let failure = error as? ApplyError ?? ApplyError(.invalidPatch, "\(error)")
        let id = (document?["id"] ?? document?["blockId"])?.stringValue
        var receipt = Receipt(
            id: id,
            role: document?["role"]?.stringValue,
            queue: options.queue,
            source: options.source,
            status: .failed,
            receivedAt: receivedAt
        )
        receipt.reason = failure.reason
        receipt.message = failure.message
        receipt.finishedAt = Date()
        return receipt
    }

}
