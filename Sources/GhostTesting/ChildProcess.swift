import Foundation
import Glibc
import Synchronization

/// Runs a program to its end and collects what it printed, through `posix_spawn` rather than Foundation's
/// `Process`: with many tests starting children on several threads at once, the full suite crashed inside
/// `Process.run()` (a memcpy of a bad pointer), in CI and on this machine. The child gets its pipes and
/// nothing else of the test process (a socket another test holds open must not stay open in it).
public enum ChildProcess {
    /// What a child printed and how it ended.
    public struct Output: Sendable {
        /// The exit status, or 128 plus the signal that ended it.
        public var status: Int32
        /// Standard output.
        public var stdout: [UInt8]
        /// Standard error.
        public var stderr: [UInt8]
    }

    /// Why a child could not be started.
    public struct SpawnError: Error {
        /// The `errno` of the failed call.
        public var code: Int32
    }

    /// Runs `program` with `arguments` in `directory` (else the current one), with this process's
    /// environment plus `environment`, feeding `stdin`; blocks until it ends.
    public static func run(
        _ program: String,
        _ arguments: [String],
        in directory: String? = nil,
        environment: [String: String] = [:],
        stdin: [UInt8] = []
    ) throws -> Output {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard pipe(&input) == 0, pipe(&output) == 0, pipe(&errors) == 0 else { throw SpawnError(code: errno) }
        // Not inherited by children other threads start; dup2 below clears the flag on the child's 0, 1 and 2.
        for end in input + output + errors { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        // Descriptors another test opens between this listing and the spawn are not listed: those must be
        // close-on-exec themselves (as every socket the tests open is).
        let open = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
        for descriptor in open where descriptor > 2 { posix_spawn_file_actions_addclose(&actions, descriptor) }
        // `env -C` changes folder in the child (posix_spawn_file_actions_addchdir_np is not imported).
        let words = ["env"] + (directory.map { ["-C", $0] } ?? []) + [program] + arguments
        var argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for word in argv { free(word) } }
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        var envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for variable in envp { free(variable) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, &argv, &envp)
        close(input[0])
        close(output[1])
        close(errors[1])
        guard spawned == 0 else {
            for end in [input[1], output[0], errors[0]] { close(end) }
            throw SpawnError(code: spawned)
        }
        // Standard error is drained on a thread of its own, so that neither pipe can fill and stall the child.
        let collected = Collected()
        let errorEnd = errors[0]
        let reader = Thread { collected.set(drain(errorEnd)) }
        reader.start()
        var written = 0
        while written < stdin.count {
            let count = stdin[written...].withUnsafeBytes { Glibc.write(input[1], $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            written += count
        }
        close(input[1])
        let printed = drain(output[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let errorText = collected.wait()
        // WIFEXITED / WEXITSTATUS, which Swift does not import as functions.
        let exited = status & 0x7F == 0
        return Output(status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), stdout: printed, stderr: errorText)
    }

    /// Everything readable from `descriptor` until its end; closes it.
    private static func drain(_ descriptor: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[..<count]
        }
        close(descriptor)
        return bytes
    }

    /// Standard error as its reader thread hands it over.
    private final class Collected: Sendable {
        private let done = DispatchSemaphore(value: 0)
        private let bytes = Mutex<[UInt8]>([])

        func set(_ value: [UInt8]) {
            bytes.withLock { $0 = value }
            done.signal()
        }

        func wait() -> [UInt8] {
            done.wait()
            return bytes.withLock { $0 }
        }
    }
}
