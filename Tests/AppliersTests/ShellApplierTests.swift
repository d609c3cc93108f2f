import ApplierAPI
import Appliers
import Foundation
import GhostTesting
import Testing

@Suite struct ShellApplierTests {
    let shell = ShellApplier()

    func context(_ policy: ShellPolicy, workspace: String = NSTemporaryDirectory()) -> EffectContext {
        EffectContext(
            patch: Patch(id: "t", role: "shell", shape: .single, targetFile: nil, description: nil, envelope: [:], operations: []),
            workspace: workspace,
            policy: policy
        )
    }

    /// A patch's `timeout_s` too large for Int64 milliseconds is a long timeout, not a crash of the host
    /// (it is parsed before the policy is even looked at, so shell need not be on).
    @Test(arguments: [1e300, 1e16, 9.3e15])
    func aHugeTimeoutIsLongNotACrash(seconds: Double) throws {
        let command = try ShellCommand(payload: ["run": "true", "timeout_s": .number(seconds)])
        #expect(command.timeout == .seconds(31_536_000))
        #expect(try ShellCommand(payload: ["run": "true", "timeout_s": 2.5]).timeout == .milliseconds(2500))
    }

    @Test func offByDefaultAndNothingRuns() async throws {
        let marker = NSTemporaryDirectory() + "ghost-shell-off-\(UUID().uuidString)"
        let operation = PatchOperation(role: "shell", payload: .string("touch \(marker)"))
        #expect(await failureReason { _ = try await shell.run(operation, context: context(.disabled)) } == .shellDisabled)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func runsInTheWorkspaceWithAScrubbedEnvironment() async throws {
        // A variable of the test process's own that the scrub must drop (no setenv: changing the environment
        // while other tests start processes races with their reads of it).
        let host = ProcessInfo.processInfo.environment
        let secret = try #require(
            host.keys.sorted().first {
                !["HOME", "LANG", "PATH", "EXTRA"].contains($0) && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
                    && !(host[$0] ?? "").isEmpty
            }
        )
        let folder = try makeTempFolder("shell")
        let operation = PatchOperation(
            role: "shell",
            payload: ["run": .string("pwd; echo \"[${\(secret)}][$EXTRA]\"; echo oops >&2; exit 3"), "env": ["EXTRA": "yes"]]
        )
        let step = try await shell.run(operation, context: context(ShellPolicy(enabled: true), workspace: folder))
        #expect(step.exitCode == 3)
        #expect(!step.succeeded)
        #expect(step.stdoutTail.contains(folder.split(separator: "/").last!))
        #expect(step.stdoutTail.contains("[][yes]"))
        #expect(step.stderrTail == "oops\n")
    }

    @Test func timeoutKillsTheWholeProcessGroup() async throws {
        let pidFile = NSTemporaryDirectory() + "ghost-shell-child-\(UUID().uuidString)"
        // A background child records its pid and would outlive the step; killing the group at 1.5 s must
        // end it too. Checking the pid (not a marker written later) keeps the test independent of load.
        let operation = PatchOperation(
            role: "shell",
            payload: ["run": .string("sh -c 'echo $$ > \(pidFile).tmp; mv \(pidFile).tmp \(pidFile); sleep 60' & sleep 60"), "timeout_s": 1.5]
        )
        let step = try await shell.run(operation, context: context(ShellPolicy(enabled: true)))
        #expect(step.timedOut)
        let pid = try #require(Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        #expect(await eventually(5) { Self.isGone(pid) })
    }

    /// True when `pid` no longer runs (gone, or a zombie nobody reaped yet).
    private static func isGone(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return true }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    @Test func outputIsBoundedToItsTail() async throws {
        let operation = PatchOperation(role: "shell", payload: .string("seq 1 100000"))
        let step = try await shell.run(operation, context: context(ShellPolicy(enabled: true, outputTailBytes: 64)))
        #expect(step.succeeded)
        #expect(step.truncated)
        #expect(step.stdoutTail.utf8.count == 64)
        #expect(step.stdoutTail.hasSuffix("99999\n100000\n"))
    }

    @Test func allowListRefusesOtherCommandsBeforeRunning() async {
        let policy = ShellPolicy(enabled: true, allow: ["^npm (test|run build)$"])
        let refused = PatchOperation(role: "shell", payload: .string("rm -rf /"))
        #expect(await failureReason { try shell.preflight(refused, context: context(policy)) } == .shellNotAllowed)
        let allowed = PatchOperation(role: "shell", payload: .string("npm test"))
        #expect(await failureReason { try shell.preflight(allowed, context: context(policy)) } == nil)
    }

    @Test func argvFormAndBadPayloads() async throws {
        let step = try await shell.run(
            PatchOperation(role: "shell", payload: ["argv": ["printf", "%s-%s", "a b", "c"]]),
            context: context(ShellPolicy(enabled: true))
        )
        #expect(step.stdoutTail == "a b-c")
        #expect(
            await failureReason { _ = try await shell.run(PatchOperation(role: "shell", payload: 5), context: context(ShellPolicy(enabled: true))) }
                == .invalidPatch
        )
        #expect(
            await failureReason {
                _ = try await shell.run(
                    PatchOperation(role: "shell", payload: ["run": "ls", "cwd": "../x"]),
                    context: context(ShellPolicy(enabled: true))
                )
            } == .pathOutsideWorkspace
        )
    }
}
