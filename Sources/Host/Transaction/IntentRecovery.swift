import ApplierAPI
import Foundation

/// Finishes or undoes, at start, the patch the host was applying when it stopped, from its intent records.
///
/// The last intact record decides. At ``IntentRecord/Stage/commit`` the patch rolls forward: a file with its
/// after-hash is done, one with its before-hash gets its staged file renamed in (redo), anything else is a
/// `conflict`. At any other stage it rolls back: a file in a state the patch wrote gets its backup (or its
/// removal) back, one with its before-hash is fine, anything else is a `conflict`; the patch is then queued
/// again when every step it started is idempotent, else it fails with `interrupted`.
enum IntentRecovery {
    /// What becomes of the patch.
    enum Outcome: Equatable, CustomStringConvertible {
        /// Rolled forward: the patch is applied; these are its files.
        case applied([FileRecord])
        /// Rolled forward, a batch member that changed nothing; these are the files it looked at.
        case unchanged([FileRecord])
        /// Rolled back and safe to run again from the start.
        case requeue
        /// Rolled back as far as possible; the patch fails.
        case failed(Reason, String)

        /// For logs.
        var description: String {
            switch self {
            case .applied(let files): "rolled forward and filed as applied (\(files.count) files)"
            case .unchanged: "rolled forward; this patch of the batch changed nothing"
            case .requeue: "rolled back and queued again"
            case .failed(let reason, let message): "filed as failed (\(reason)): \(message)"
            }
        }
    }

    /// Recovers one patch from its records (oldest first, at least one), then removes its staged files,
    /// backups and temp files.
    static func recover(_ records: [IntentRecord], in workspace: Workspace) -> Outcome {
        guard let last = records.last else { return .requeue }
        let outcome = last.stage == .commit ? rollForward(last, in: workspace) : rollBack(records, in: workspace)
        for record in records {
            for file in record.files {
                workspace.removeLeftovers(of: file.path)
            }
        }
        return outcome
    }

    /// What becomes of one patch of a batch, given what became of the batch: a patch that failed on its
    /// own stays failed; the others share the batch's fate.
    static func outcome(of member: IntentRecord.Member, inBatch outcome: Outcome) -> Outcome {
        if member.status == Receipt.Status.failed.rawValue {
            return .failed(Reason(member.reason ?? Reason.invalidPatch.rawValue), member.message ?? "failed")
        }
        guard case .applied = outcome else { return outcome }
        let files = member.files.map(\.receiptRecord)
        return member.status == Receipt.Status.unchanged.rawValue ? .unchanged(files) : .applied(files)
    }

    private static func rollForward(_ record: IntentRecord, in workspace: Workspace) -> Outcome {
        // The record and the staged files are made durable side by side: if no file was renamed yet and a
        // staged file did not make it, the patch never took effect, and is treated as never started.
        let untouched = record.files.allSatisfy { (try? workspace.state(of: $0.path)) == $0.before }
        let incomplete = record.files.contains { file in
            guard let staged = file.staged else { return false }
            return (try? workspace.state(of: file.path, sideName: staged)) != file.after
        }
        if untouched && incomplete {
            return record.rerunnable
                ? .requeue
                : .failed(.interrupted, "the host stopped before this patch's files were committed, after a step that is not idempotent had run")
        }
        var conflicts: [String] = []
        var files: [FileRecord] = []
        for file in record.files {
            do {
                let current = try workspace.state(of: file.path)
                if current != file.after {
                    guard current == file.before else {
                        conflicts.append("\(file.path) is neither as before the patch nor as after it")
                        continue
                    }
                    try redo(file, in: workspace)
                }
                files.append(file.receiptRecord)
            } catch {
                conflicts.append("\(file.path): \(error.message)")
            }
        }
        guard conflicts.isEmpty else {
            return .failed(.conflict, "the host stopped while committing this patch and it cannot be finished: " + conflicts.joined(separator: "; "))
        }
        return .applied(files)
    }

    /// Brings a file from its before-state to its after-state.
    private static func redo(_ file: IntentRecord.File, in workspace: Workspace) throws(ApplyError) {
        guard let after = file.after else {
            try workspace.remove(file.path)
            return
        }
        if let staged = file.staged, try workspace.state(of: file.path, sideName: staged) == after {
            try workspace.install(staged, at: file.path)
            try workspace.syncFolder(of: file.path)
        } else if file.before?.sha256 == after.sha256 {
            // The patch's own backup may be a second link to the file.
            try workspace.setMode(file.path, mode: after.mode, ownLinks: file.backup == nil ? 0 : 1)
        } else {
            throw ApplyError(.conflict, "its staged new content is missing")
        }
    }

    private static func rollBack(_ records: [IntentRecord], in workspace: Workspace) -> Outcome {
        guard let last = records.last else { return .requeue }
        var conflicts: [String] = []
        for file in last.files.reversed() {
            // Any state a record of this patch asked for is one the patch itself left on disk.
            let written = records.flatMap { $0.files.filter { $0.path == file.path }.map(\.after) }
            do {
                let current = try workspace.state(of: file.path)
                guard current != file.before else { continue }
                guard written.contains(current) else {
                    conflicts.append("\(file.path) is in a state this patch never wrote")
                    continue
                }
                try undo(file, from: current, records: records, in: workspace)
            } catch {
                conflicts.append("\(file.path): \(error.message)")
            }
        }
        if !conflicts.isEmpty {
            return .failed(.conflict, "the host stopped while applying this patch and it cannot be undone: " + conflicts.joined(separator: "; "))
        }
        if last.stage == .rollback {
            return .failed(.interrupted, "the patch failed and the host stopped while restoring its files; they are restored")
        }
        guard last.rerunnable else {
            let what = last.stage == .step ? "while the step '\(last.step ?? "?")' was running" : "after a step had run"
            return .failed(
                .interrupted,
                "the host stopped \(what); the step is not marked idempotent, so the patch is not run again; its files are restored"
            )
        }
        return .requeue
    }

    /// Brings a file from a state the patch wrote back to its before-state.
    private static func undo(
        _ file: IntentRecord.File,
        from current: IntentRecord.FileState?,
        records: [IntentRecord],
        in workspace: Workspace
    ) throws(ApplyError) {
        guard let before = file.before else {
            try workspace.remove(file.path)
            return
        }
        let backups = records.compactMap { $0.files.first(where: { $0.path == file.path })?.backup }
        if let current, current.sha256 == before.sha256 {
            // The patch's own backups may be more links to the file.
            try workspace.setMode(file.path, mode: before.mode, ownLinks: Set(backups).count)
            return
        }
        for backup in Set(backups) where try workspace.state(of: file.path, sideName: backup) == before {
            try workspace.install(backup, at: file.path)
            try workspace.syncFolder(of: file.path)
            return
        }
        throw ApplyError(.conflict, "its original content is lost")
    }
}
