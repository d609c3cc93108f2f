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
            return Receipt.rejected(document: try? JSONParser.parse(bytes), error: error, options: options, receivedAt: receivedAt)
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
        // One regex budget for all of the patch's operations.
        let regexBudget = RegexBudget(milliseconds: options.limits.regexMilliseconds)
        do {
            let effectContext = EffectContext(
                patch: patch,
                workspace: workspace.root,
                policy: options.shellPolicy,
                resolveFolder: { relative throws(ApplyError) in try workspace.containedFolder(relative) }
            )
            let entries = try patch.operations.map { operation throws(ApplyError) in try entry(for: operation) }
            if !options.checkOnly {
                for (operation, entry) in zip(patch.operations, entries) {
                    if case .effect(let applier) = entry { try applier.preflight(operation, context: effectContext) }
                }
            }
            for (operation, entry) in zip(patch.operations, entries) {
                switch entry {
                case .content(let applier):
                    receipt.operations.append(
                        try await applyContent(applier, operation, patch: patch, transaction: transaction, options: options, regexBudget: regexBudget)
                    )
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
                    // A step is visible outside the workspace files: it waits for the patch's intake record.
                    try await intent?.awaitIntake()
                    try await transaction.flush(final: false)
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
            // The flush waits for the patch's intake record before anything in the workspace changes.
            if !options.checkOnly { try await transaction.flush(final: true) }
        } catch {
            receipt.fail(with: error)
            if !options.checkOnly {
                let leftovers = transaction.rollback()
                if !leftovers.isEmpty { receipt.message! += "; ROLLBACK INCOMPLETE: " + leftovers.joined(separator: "; ") }
            }
        }
        if receipt.status != .failed || options.checkOnly {
            await record(transaction, into: &receipt, options: options, keepDiff: receipt.status != .failed)
            if receipt.status != .failed && !ranSteps && !receipt.files.contains(where: \.changed) { receipt.status = .unchanged }
            // What a step did cannot be undone: such a patch keeps no before-images.
            if ranSteps { receipt.beforeImages = nil }
        }
        receipt.finishedAt = Date()
        receipt.durationMs = (clock.now - started).milliseconds
        return receipt
    }

    /// Checks what can be checked before a patch is queued: every role is known and every content operation
    /// names its files. A queue refuses a patch that fails this (HTTP 422) instead of failing it later.
    public func validate(_ patch: Patch) throws(ApplyError) {
        for operation in patch.operations {
            switch try entry(for: operation) {
            case .content(let applier):
                _ = try applier.inputPaths(for: operation)
                try applier.validate(operation)
            case .effect(let applier):
                try applier.validate(operation)
            }
        }
    }

    /// The applier for an operation. A v1 envelope whose role is unknown but whose `patch` is a string is
    /// the seed's shell patch (`"role": "ghost-system", "patch": "echo ..."`): it runs as a shell step.
    /// `restore` (a revert's role) is the host's own and cannot be replaced.
    private func entry(for operation: PatchOperation) throws(ApplyError) -> ApplierRegistry.Entry {
        if operation.role == RestoreApplier.role { return .content(RestoreApplier()) }
        if let entry = registry.entry(for: operation.role) { return entry }
        if operation.phase == .mutation, operation.payload.stringValue != nil, let shell = registry.entry(for: "shell") { return shell }
        throw ApplyError(.unknownRole, "unknown role '\(operation.role)'; known roles: \(registry.knownNames.joined(separator: ", "))")
    }

    private func applyContent(
        _ applier: any ContentApplier,
        _ operation: PatchOperation,
        patch: Patch,
        transaction: Transaction,
        options: RunOptions,
        regexBudget: RegexBudget
    ) async throws -> JSONValue {
        var files: [String: FileContent?] = [:]
        var resolved: [String: String] = [:]
        for path in try applier.inputPaths(for: operation) {
            let (relative, content) = try transaction.read(path)
            files[path] = .some(content)
            resolved[path] = relative
        }
        let canonicalTarget = operation.target.flatMap { resolved[$0] }
        let context = ApplyContext(
            patch: patch,
            workspace: transaction.workspace.root,
            checkOnly: options.checkOnly,
            limits: options.limits,
            regexBudget: regexBudget
        )
        let result = try await applier.apply(
            operation,
            files: FileSet(files: files, targetPath: operation.target, resolvedPaths: resolved),
            context: context
        )
        for change in result.changes { try transaction.stage(change) }
        var details = result.details
        details["role"] = .string(operation.role)
        details["phase"] = .string(operation.phase.rawValue)
        if let target = canonicalTarget ?? operation.target { details["target"] = .string(target) }
        return .object(details)
    }

    private func record(_ transaction: Transaction, into receipt: inout Receipt, options: RunOptions, keepDiff: Bool) async {
        let entries = transaction.order.compactMap { relative in transaction.entries[relative].map { (relative, $0) } }
        var known: [(before: String?, after: String?)] = []
        for (relative, _) in entries { known.append(await transaction.knownDigests(relative)) }
        // The intent log, or a task started when a file was read or written, has usually hashed them already.
        var hashes = zip(entries, known).map { element, known in
            (before: element.1.original == nil ? nil : known.before, after: element.1.staged == nil ? nil : known.after)
        }
        let missing = entries.indices.filter { index in
            (entries[index].1.original != nil && hashes[index].before == nil) || (entries[index].1.staged != nil && hashes[index].after == nil)
        }
        if !missing.isEmpty {
            // Computed side by side: on a large file they cost as much as the regex.
            hashes = await withTaskGroup(of: (Int, Bool, String).self) { group in
                var byFile = hashes
                for index in missing {
                    let entry = entries[index].1
                    if let original = entry.original?.bytes, byFile[index].before == nil { group.addTask { (index, false, Digest.sha256(original)) } }
                    if let staged = entry.staged?.bytes, byFile[index].after == nil { group.addTask { (index, true, Digest.sha256(staged)) } }
                }
                for await (index, isAfter, hash) in group {
                    if isAfter { byFile[index].after = hash } else { byFile[index].before = hash }
                }
                return byFile
            }
        }
        let changes = entries.enumerated().map { index, element in
            FileStates(
                path: element.0,
                before: element.1.original,
                after: element.1.staged,
                beforeSHA256: hashes[index].before,
                afterSHA256: hashes[index].after
            )
        }
        describe(changes, into: &receipt, options: options, keepDiff: keepDiff)
    }

    /// One file before and after a patch, with the hashes of both.
    private struct FileStates {
        var path: String
        var before: FileContent?
        var after: FileContent?
        var beforeSHA256: String?
        var afterSHA256: String?

        var record: FileRecord {
            FileRecord(path: path, beforeSHA256: beforeSHA256, afterSHA256: afterSHA256, modeBefore: before?.mode, modeAfter: after?.mode)
        }

        /// The same, as a batch member's file in the intent log.
        var intentFile: IntentRecord.File {
            IntentRecord.File(
                path: path,
                before: IntentRecord.FileState(sha256: beforeSHA256, content: before),
                after: IntentRecord.FileState(sha256: afterSHA256, content: after)
            )
        }
    }

    /// Lists the files in the receipt and builds its diff, within the size limits of `options`.
    private func describe(_ changes: [FileStates], into receipt: inout Receipt, options: RunOptions, keepDiff: Bool) {
        var diff = ""
        for change in changes {
            let record = change.record
            receipt.files.append(record)
            guard keepDiff, record.changed, change.before?.bytes != change.after?.bytes else { continue }
            let sizes = [change.before?.bytes.count ?? 0, change.after?.bytes.count ?? 0]
            if sizes.contains(where: { $0 > options.diffMaxFileBytes }) {
                receipt.diffNote = "no diff for files over \(options.diffMaxFileBytes) bytes (\(change.path)); see the hashes"
                continue
            }
            diff += UnifiedDiff.make(path: change.path, old: change.before?.bytes, new: change.after?.bytes)
        }
        if diff.utf8.count > options.diffMaxBytes {
            receipt.diffNote = "diff cut at \(options.diffMaxBytes) bytes"
            diff = String(decoding: diff.utf8.prefix(options.diffMaxBytes), as: UTF8.self)
        }
        receipt.diff = diff
        if let limit = options.beforeImageBytes {
            receipt.beforeImages = BeforeImages.capture(changes.map { ($0.path, $0.before, $0.after, $0.beforeSHA256) }, limit: limit)
        }
    }

    // MARK: Batches

    /// One patch of a batch.
    struct BatchMember {
        var patch: Patch
        var sequence: UInt64
        var options: RunOptions
        var receivedAt: Date
    }

    /// True when every operation of the patch edits files only (no shell or other effect step): such
    /// patches can be applied together by ``run(_:in:intent:)``.
    func isContentOnly(_ patch: Patch) -> Bool {
        patch.operations.allSatisfy { operation in
            if case .content? = try? entry(for: operation) { return true }
            return false
        }
    }

    /// Applies content-only patches in order as one transaction and commits them together: one intent
    /// record naming every patch and its outcome, one staged file and one rename per changed file.
    ///
    /// Each patch sees the files as the patches before it left them, exactly as one at a time would; one
    /// that fails is forgotten without touching the others. Receipts are the ones each patch would get on
    /// its own (its own before and after hashes and diff). If the commit itself fails, every patch that
    /// changed something fails with the commit's error and the files are restored.
    ///
    /// A batch holds the files of all its members at once: when the next member would take it past
    /// ``PatchLimits/maxHeldBytes``, what came before is committed and the rest go on in a new transaction,
    /// so a member fails for that limit only when it passes it alone.
    func run(_ members: [BatchMember], in workspace: Workspace, intent: IntentContext) async -> [Receipt] {
        // A batch of one runs as a patch of its own: the only way a patch with effect steps runs, and the
        // cheaper one for a single patch (its hashes come from the intent log, computed side by side).
        if members.count == 1, let member = members.first {
            return [await run(member.patch, in: workspace, options: member.options, receivedAt: member.receivedAt, intent: intent)]
        }
        var receipts: [Receipt] = []
        var context = intent
        while receipts.count < members.count {
            let done = await runBatchPart(members[receipts.count...], in: workspace, intent: context)
            receipts += done
            guard receipts.count < members.count else { break }
            let next = members[receipts.count]
            context = IntentContext(log: intent.log, sequence: next.sequence, id: next.patch.id, folderSyncs: intent.folderSyncs)
        }
        return receipts
    }

    /// Runs members in one transaction until one would pass the held-bytes bound with others before it;
    /// commits and returns the receipts of those run.
    private func runBatchPart(_ members: ArraySlice<BatchMember>, in workspace: Workspace, intent: IntentContext) async -> [Receipt] {
        let clock = ContinuousClock()
        let maxFileBytes = members.first?.options.limits.maxFileBytes ?? PatchLimits.default.maxFileBytes
        let transaction = Transaction(workspace: workspace, maxFileBytes: maxFileBytes, intent: intent)
        var receipts: [Receipt] = []
        var outcomes: [IntentRecord.Member] = []
        for member in members {
            let started = clock.now
            var receipt = Receipt(for: member.patch, options: member.options, receivedAt: member.receivedAt)
            var files: [IntentRecord.File] = []
            let mark = transaction.mark()
            let regexBudget = RegexBudget(milliseconds: member.options.limits.regexMilliseconds)
            do {
                for operation in member.patch.operations {
                    guard case .content(let applier) = try entry(for: operation) else {
                        throw ApplyError(.invalidPatch, "only patches that edit files are applied in a batch")
                    }
                    receipt.operations.append(
                        try await applyContent(
                            applier,
                            operation,
                            patch: member.patch,
                            transaction: transaction,
                            options: member.options,
                            regexBudget: regexBudget
                        )
                    )
                }
                let changes = transaction.touchedSinceMark.map { relative in
                    let before = mark.state(of: relative, in: transaction)
                    let after = transaction.entries[relative]?.staged
                    return FileStates(
                        path: relative,
                        before: before,
                        after: after,
                        beforeSHA256: before.map { Digest.sha256($0.bytes) },
                        afterSHA256: after.map { Digest.sha256($0.bytes) }
                    )
                }
                describe(changes, into: &receipt, options: member.options, keepDiff: true)
                files = changes.map(\.intentFile)
                if !receipt.files.contains(where: \.changed) { receipt.status = .unchanged }
            } catch {
                let overBatch = transaction.exceededHeldBytes && !receipts.isEmpty
                transaction.restore(mark)
                // Over the bound only with the members before it: it starts the next part instead.
                if overBatch { break }
                receipt.fail(with: error)
            }
            receipt.finishedAt = Date()
            receipt.durationMs = (clock.now - started).milliseconds
            receipts.append(receipt)
            outcomes.append(
                IntentRecord.Member(
                    sequence: member.sequence,
                    id: member.patch.id,
                    status: receipt.status.rawValue,
                    reason: receipt.reason?.rawValue,
                    message: receipt.message,
                    files: files
                )
            )
        }
        transaction.batchMembers = outcomes
        do {
            try await transaction.flush(final: true)
        } catch {
            var message = error.message
            let leftovers = transaction.rollback()
            if !leftovers.isEmpty { message += "; ROLLBACK INCOMPLETE: " + leftovers.joined(separator: "; ") }
            for index in receipts.indices where receipts[index].status == .applied {
                receipts[index].status = .failed
                receipts[index].reason = error.reason
                receipts[index].message = message
                receipts[index].diff = ""
            }
        }
        return receipts
    }

}
