/// Poison patches: a patch during which the host dies (it aborts, or is OOM-killed) would otherwise be
/// replayed at every start and kill the host again, forever. This decides, at start and only from what is
/// on disk, which patches the last run died applying, how often each has now killed the host, which are
/// filed as `crashed_host`, and which are applied alone (under a durable marker) until they are settled.
///
/// Pure: ``decide(_:)`` takes the saved ``CrashState`` and the evidence recovery found and returns the new
/// state and what to do; ``PatchQueue`` does the I/O.
enum PoisonPolicy {
    /// A queued patch: its sequence number and its id (sequence numbers start again at 1 when the journal
    /// empties, so the id is part of the key).
    struct PatchKey: Hashable, Sendable, Comparable, CustomStringConvertible {
        /// The patch's queue sequence number.
        var sequence: UInt64
        /// The patch id.
        var id: String

        /// Queue order.
        static func < (lhs: PatchKey, rhs: PatchKey) -> Bool {
            (lhs.sequence, lhs.id) < (rhs.sequence, rhs.id)
        }

        /// For logs.
        var description: String { "\(id) (#\(sequence))" }
    }

    /// What the last start saved in `.ghost/crashes.json`.
    struct CrashState: Equatable, Sendable {
        /// True from start until a clean shutdown: found true at start, the last run died.
        var running = false
        /// Host deaths while applying each unfinished patch alone.
        var deaths: [PatchKey: Int] = [:]
        /// Patches to apply one at a time, each under the durable ``ApplyingMarker``, oldest first.
        var suspects: [PatchKey] = []
    }

    /// What recovery found on disk at start.
    struct Evidence: Equatable, Sendable {
        /// The saved state (``CrashState/running`` false when there is none).
        var previous: CrashState
        /// The patch the ``ApplyingMarker`` names (written only while suspects are applied), if intact.
        var marker: PatchKey?
        /// Patches whose intent records show they were in hand, alone, and are to run again.
        var interruptedAlone: [PatchKey]
        /// Every journaled patch without a receipt that is to run (recovery files none of them), in order.
        var unfinished: [PatchKey]
        /// Deaths while applying a patch alone before it is filed `crashed_host` (at least 1 counts).
        var crashRetries: Int
        /// The most patches one batch takes: how far an interrupted batch may reach.
        var maxBatch: Int
    }

    /// What to do.
    struct Plan: Equatable, Sendable {
        /// The state to save (fsynced) before anything is applied; ``CrashState/running`` is true.
        var state: CrashState
        /// The patches the host died applying alone in the last run (each counted once more).
        var died: [PatchKey]
        /// Patches filed as `crashed_host` instead of being applied, with their death counts.
        var crashed: [PatchKey: Int]
        /// Patches applied alone under the marker, oldest first (none of `crashed`).
        var suspects: [PatchKey]
    }

    /// Decides at start.
    ///
    /// After a clean shutdown nothing is counted: the patch in hand was finished. After a death, the patch
    /// the host was applying alone is counted: the one the marker names (suspect mode), else one whose
    /// intent records show it in hand, else the only unfinished patch. When none is known (the host died
    /// during a batch, or with a backlog), nothing is counted and the first `maxBatch` unfinished patches
    /// become suspects: each is applied alone under the marker, so the next death names its culprit.
    static func decide(_ evidence: Evidence) -> Plan {
        let live = Set(evidence.unfinished)
        let previous = evidence.previous
        var deaths = previous.deaths.filter { live.contains($0.key) }
        var died: [PatchKey] = []
        let interrupted = evidence.interruptedAlone.filter(live.contains)
        if previous.running {
            if let marker = evidence.marker, live.contains(marker) {
                died = [marker]
            } else if !interrupted.isEmpty {
                died = interrupted
            } else if evidence.unfinished.count == 1 {
                died = evidence.unfinished
            }
        }
        for key in died { deaths[key, default: 0] += 1 }
        let limit = max(1, evidence.crashRetries)
        let crashed = deaths.filter { $0.value >= limit }
        var suspects = previous.suspects.filter(live.contains)
        if previous.running {
            suspects += died.isEmpty ? Array(evidence.unfinished.prefix(max(1, evidence.maxBatch))) : died
        }
        suspects = Array(Set(suspects).subtracting(crashed.keys)).sorted()
        return Plan(state: CrashState(running: true, deaths: deaths, suspects: suspects), died: died, crashed: crashed, suspects: suspects)
    }

    /// The message of a `crashed_host` receipt.
    static func message(deaths: Int, crashRetries: Int) -> String {
        "the host died \(deaths) time\(deaths == 1 ? "" : "s") while applying this patch alone (limits.crash_retries: \(crashRetries));"
            + " it is not applied again"
    }
}
