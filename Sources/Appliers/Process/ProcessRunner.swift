package import ApplierAPI
import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs one child process in its own process group with a time limit, bounded output and optional input.
///
/// At the time limit the whole group is killed (SIGKILL), so a shell's children die with it.
package struct ProcessRunner: Sendable {
    /// What a finished (or killed) process left.
    package struct Outcome: Sendable {
        /// The exit status, when the process exited by itself.
        package var exitCode: Int32?
        /// The signal that ended it, if one did.
        package var signal: Int32?
        /// True when it was killed at the time limit.
        package var timedOut: Bool
        /// The kept standard output (the head or the tail, see ``ProcessRunner/init(outputLimit:keepHead:)``).
        package var stdout: [UInt8]
        /// The last bytes of standard error.
        package var stderr: [UInt8]
        /// True when standard output exceeded the limit.
        package var stdoutOverflowed: Bool
        /// True when standard error exceeded the limit.
        package var stderrOverflowed: Bool
        /// Wall-clock milliseconds.
        package var durationMs: Double
    }

    private let outputLimit: Int
    private let keepHead: Bool

    /// A runner keeping at most `outputLimit` bytes of each stream: the first ones when `keepHead`
    /// (a plugin's answer, where more is an error), else the last ones (a command's log).
    package init(outputLimit: Int, keepHead: Bool = false) {
        self.outputLimit = outputLimit
        self.keepHead = keepHead
    }

    /// Runs `argv` (`argv[0]` a path, or a name looked up in `environment["PATH"]`).
    /// - Throws: ``Reason/ioError`` when the process cannot be started.
    package func run(
        _ argv: [String],
        environment: [String: String],
        workingDirectory: String,
        input: [UInt8]? = nil,
        timeout: Duration
    ) async throws(ApplyError) -> Outcome {
        guard let program = argv.first else { throw ApplyError(.invalidPatch, "empty command") }
        // A child that exits without reading its input must not kill the host with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        var options = PlatformOptions()
        options.processGroupID = 0
        let clock = ContinuousClock()
        let started = clock.now
        let limit = outputLimit
        let keep: OutputCapture.Keep = keepHead ? .head : .tail
        var env: [Environment.Key: String] = [:]
        for (key, value) in environment { env[Environment.Key(stringLiteral: key)] = value }
        let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
        do {
            let result = try await Subprocess.run(
                executable,
                arguments: Arguments(Array(argv.dropFirst())),
                environment: .custom(env),
                workingDirectory: FilePath(workingDirectory),
                platformOptions: options,
                input: .inputWriter,
                output: .sequence,
                error: .sequence
            ) { execution in
                try await withThrowingTaskGroup(of: StreamEvent.self) { group in
                    group.addTask {
                        if let input, !input.isEmpty { _ = try? await execution.standardInputWriter.write(input) }
                        try? await execution.standardInputWriter.finish()
                        return .inputDone
                    }
                    group.addTask {
                        var capture = OutputCapture(limit: limit, keep: keep)
                        for try await chunk in execution.standardOutput { chunk.withUnsafeBytes { capture.append($0) } }
                        return .stdout(capture)
                    }
                    group.addTask {
                        var capture = OutputCapture(limit: limit, keep: .tail)
                        for try await chunk in execution.standardError { chunk.withUnsafeBytes { capture.append($0) } }
                        return .stderr(capture)
                    }
                    group.addTask {
                        do { try await Task.sleep(for: timeout) } catch { return .timerCancelled }
                        // Killing a group can miss a child forked at that very moment: keep killing until
                        // every member is gone and the pipes close (this task is cancelled then).
                        while !Task.isCancelled {
                            try? execution.send(signal: .kill, toProcessGroup: true)
                            try? await Task.sleep(for: .milliseconds(20))
                        }
                        return .timedOut
                    }
                    var stdout = OutputCapture(limit: limit, keep: keep)
                    var stderr = OutputCapture(limit: limit, keep: .tail)
                    var timedOut = false
                    var openStreams = 2
                    while openStreams > 0, let event = try await group.next() {
                        switch event {
                        case .stdout(let capture):
                            stdout = capture
                            openStreams -= 1
                        case .stderr(let capture):
                            stderr = capture
                            openStreams -= 1
                        case .timedOut: timedOut = true
                        case .inputDone, .timerCancelled: break
                        }
                    }
                    group.cancelAll()
                    // The timer may have fired just before the pipes closed: its event is still queued.
                    while let event = try await group.next() {
                        if case .timedOut = event { timedOut = true }
                    }
                    // Both pipes closed: reap anything the command left behind in its group.
                    try? execution.send(signal: .kill, toProcessGroup: true)
                    return Captured(stdout: stdout, stderr: stderr, timedOut: timedOut)
                }
            }
            let captured = result.closureResult
            var outcome = Outcome(
                exitCode: nil,
                signal: nil,
                timedOut: captured.timedOut,
                stdout: captured.stdout.bytes,
                stderr: captured.stderr.bytes,
                stdoutOverflowed: captured.stdout.overflowed,
                stderrOverflowed: captured.stderr.overflowed,
                durationMs: (clock.now - started).milliseconds
            )
            switch result.terminationStatus {
            case .exited(let code): outcome.exitCode = code
            case .signaled(let signal): outcome.signal = signal
            }
            return outcome
        } catch let error as ApplyError {
            throw error
        } catch {
            throw ApplyError(.ioError, "could not run \(program): \(error)")
        }
    }

}

private enum StreamEvent: Sendable {
    case inputDone
    case stdout(OutputCapture)
    case stderr(OutputCapture)
    case timedOut
    case timerCancelled
}

private struct Captured: Sendable {
    var stdout: OutputCapture
    var stderr: OutputCapture
    var timedOut: Bool
}
