/// What one effect step did, as kept in the receipt's `steps`.
public struct StepRecord: Sendable, Hashable {
    /// The phase it ran in.
    public var phase: Phase
    /// The command as run (a shell line, or argv joined with spaces).
    public var command: String
    /// The exit status, when the process exited by itself.
    public var exitCode: Int32?
    /// True when the step was killed at its time limit.
    public var timedOut: Bool
    /// Wall-clock duration in milliseconds.
    public var durationMs: Double
    /// The last bytes of standard output.
    public var stdoutTail: String
    /// The last bytes of standard error.
    public var stderrTail: String
    /// True when output beyond the kept tails was dropped.
    public var truncated: Bool

    /// A record.
    public init(
        phase: Phase,
        command: String,
        exitCode: Int32?,
        timedOut: Bool = false,
        durationMs: Double,
        stdoutTail: String = "",
        stderrTail: String = "",
        truncated: Bool = false
    ) {
        self.phase = phase
        self.command = command
        self.exitCode = exitCode
        self.timedOut = timedOut
        self.durationMs = durationMs
        self.stdoutTail = stdoutTail
        self.stderrTail = stderrTail
        self.truncated = truncated
    }

    /// True when the process exited with status 0.
    package var succeeded: Bool { exitCode == 0 && !timedOut }
}
