import ApplierAPI
import Appliers
import Foundation
import GhostTesting
import Testing

/// Attacks on a queue's allow list: each sends the attack and checks that nothing ran (the marker
/// file `PWNED` is not created) and the reason code.
@Suite struct ShellAllowListTests {
    let shell = ShellApplier()

    func context(_ policy: ShellPolicy, workspace: String) -> EffectContext {
        EffectContext(
            patch: Patch(id: "t", role: "shell", shape: .single, targetFile: nil, description: nil, envelope: [:], operations: []),
            workspace: workspace,
            policy: policy
        )
    }

    func makeWorkspace() throws -> String {
        try makeTempFolder("allow")
    }

    /// Runs `payload` (preflight, then run) and returns the reason it failed with, `nil` when it ran.
    func attempt(_ payload: JSONValue, _ policy: ShellPolicy, in workspace: String) async -> Reason? {
        let operation = PatchOperation(role: "shell", payload: payload)
        return await failureReason {
            try shell.preflight(operation, context: context(policy, workspace: workspace))
            _ = try await shell.run(operation, context: context(policy, workspace: workspace))
        }
    }

    func pwned(_ workspace: String) -> Bool { FileManager.default.fileExists(atPath: workspace + "/PWNED") }

    @Test func aPatternMustMatchTheWholeCommand() async throws {
        let workspace = try makeWorkspace()
        let policy = ShellPolicy(enabled: true, allow: ["^echo hello", "npx tsc"])
        for attack in ["echo hello & touch PWNED", "echo hello; touch PWNED", "echo hellotouch", "x npx tsc", "npx tsc & id"] {
            #expect(await attempt(.string(attack), policy, in: workspace) == .shellNotAllowed, "\(attack)")
        }
        #expect(!pwned(workspace))
        let operation = PatchOperation(role: "shell", payload: "echo hello")
        let step = try await shell.run(operation, context: context(policy, workspace: workspace))
        #expect(step.stdoutTail == "hello\n")
    }

    @Test func unbalancedOrAcceptingPatternsCannotEscapeTheAnchors() async throws {
        let workspace = try makeWorkspace()
        #expect(await attempt("echo hello; touch PWNED", ShellPolicy(enabled: true, allow: ["echo hello)|(x"]), in: workspace) == .regexError)
        #expect(await attempt("echo hello; touch PWNED", ShellPolicy(enabled: true, allow: ["echo hello(*ACCEPT)"]), in: workspace) == .regexError)
        // Leading settings such as (*LIMIT_MATCH=...) stay where PCRE2 wants them.
        #expect(await attempt("echo hello", ShellPolicy(enabled: true, allow: ["(*LIMIT_MATCH=1000)echo hello"]), in: workspace) == nil)
        #expect(!pwned(workspace))
    }

    @Test func operatorsAndExpansionsNeverReachAShell() async throws {
        let workspace = try makeWorkspace()
        // A loose pattern on purpose: only the word rules stand between these and a shell.
        let policy = ShellPolicy(enabled: true, allow: ["^echo hello.*$"])
        let attacks = [
            "echo hello & touch PWNED", "echo hello; touch PWNED", "echo hello | touch PWNED", "echo hello && touch PWNED",
            "echo hello $(touch PWNED)", "echo hello `touch PWNED`", "echo hello \"$(touch PWNED)\"", "echo hello > PWNED",
            "echo hello\ntouch PWNED", "echo hello * PWNED",
        ]
        for attack in attacks {
            #expect(await attempt(.string(attack), policy, in: workspace) == .shellNotAllowed, "\(attack)")
            #expect(!pwned(workspace), "\(attack)")
        }
        // `run` and the v1 string alike, and preflight alone refuses it (so a patch writes no file either).
        let operation = PatchOperation(role: "shell", payload: ["run": "echo hello; touch PWNED"])
        #expect(await failureReason { try shell.preflight(operation, context: context(policy, workspace: workspace)) } == .shellNotAllowed)
        #expect(!pwned(workspace))
    }

    @Test func anAllowedCommandRunsAsWordsWithoutAShell() async throws {
        let workspace = try makeWorkspace()
        let policy = ShellPolicy(enabled: true, allow: ["^echo .*$"])
        let operation = PatchOperation(role: "shell", payload: "echo 'hello; touch PWNED' \"$ok\"\\ x")
        #expect(await failureReason { _ = try await shell.run(operation, context: context(policy, workspace: workspace)) } == .shellNotAllowed)
        let quoted = PatchOperation(role: "shell", payload: "echo 'hello; touch PWNED' \"a b\"\\ x")
        let step = try await shell.run(quoted, context: context(policy, workspace: workspace))
        #expect(step.stdoutTail == "hello; touch PWNED a b x\n")
        #expect(!pwned(workspace))
    }

    @Test func argvStepsAreMatchedAsQuotedWords() async throws {
        let workspace = try makeWorkspace()
        let policy = ShellPolicy(enabled: true, allow: ["^echo (hello|run build)$"])
        // One word "run build" is not the two words the pattern names.
        #expect(await attempt(["argv": ["echo", "run build"]], policy, in: workspace) == .shellNotAllowed)
        #expect(await attempt(["argv": ["echo", "hello"]], policy, in: workspace) == nil)
        #expect(await attempt(["argv": ["echo", "hello; touch PWNED"]], ShellPolicy(enabled: true, allow: ["^echo '.*'$"]), in: workspace) == nil)
        #expect(!pwned(workspace))
    }

    @Test func stepEnvironmentIsLimitedUnderAnAllowList() async throws {
        let workspace = try makeWorkspace()
        let policy = ShellPolicy(enabled: true, allow: ["^printenv GREETING$"], environmentAllow: ["GREETING", "LD_PRELOAD", "PATH"])
        for name in ["PATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "BASH_ENV", "ENV", "NODE_OPTIONS", "npm_config_script_shell", "GIT_DIR", "OTHER"] {
            let payload: JSONValue = ["run": "printenv GREETING", "env": ["GREETING": "hi", name: "x"]]
            #expect(await attempt(payload, policy, in: workspace) == .shellNotAllowed, "\(name)")
        }
        let step = try await shell.run(
            PatchOperation(role: "shell", payload: ["run": "printenv GREETING", "env": ["GREETING": "hi"]]),
            context: context(policy, workspace: workspace)
        )
        #expect(step.stdoutTail == "hi\n")
    }

    @Test func withShellOnAndNoListsOnlyCodeLoadingNamesAreRefused() async throws {
        let workspace = try makeWorkspace()
        let marker = workspace + "/PWNED"
        let policy = ShellPolicy(enabled: true)
        for name in ["PATH", "LD_PRELOAD", "BASH_ENV", "ENV", "NODE_OPTIONS", "NPM_CONFIG_USERCONFIG", "GIT_SSH_COMMAND", "PYTHONPATH"] {
            let payload: JSONValue = ["run": .string("touch \(marker)"), "env": [name: "x"]]
            #expect(await attempt(payload, policy, in: workspace) == .shellNotAllowed, "\(name)")
        }
        #expect(!pwned(workspace))
        #expect(await attempt(["run": "true", "env": ["CI": "1"]], policy, in: workspace) == nil)
        #expect(
            await attempt(
                ["run": "true", "env": ["NODE_OPTIONS": "x"]],
                ShellPolicy(enabled: true, environmentAllow: ["NODE_OPTIONS"]),
                in: workspace
            ) == nil
        )
        #expect(
            await attempt(["run": "true", "env": ["CI": "1"]], ShellPolicy(enabled: true, environmentAllow: ["NODE_OPTIONS"]), in: workspace)
                == .shellNotAllowed
        )
    }

    @Test func programsAreNeverFoundInTheWorkspace() async throws {
        let workspace = try makeWorkspace()
        let tool = "ghost-fake-tool-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: workspace + "/bin", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: workspace + "/bin/" + tool,
            contents: Data("#!/bin/sh\ntouch \"$(dirname \"$0\")/../PWNED\"\n".utf8),
            attributes: [.posixPermissions: 0o755]
        )
        // Relative entries (the working folder is the workspace) and absolute ones inside it are dropped.
        for path in ["bin:/usr/bin:/bin", ":/usr/bin:/bin", "./bin:/bin", workspace + "/bin:/usr/bin:/bin"] {
            let policy = ShellPolicy(enabled: true, allow: ["^\(tool)$"], searchPath: path)
            #expect(await attempt(.string(tool), policy, in: workspace) == .shellNotAllowed, "\(path)")
            #expect(!pwned(workspace), "\(path)")
        }
        // Named as a path, and allowed as that exact text, it runs.
        let explicit = ShellPolicy(enabled: true, allow: ["^\\./bin/\(tool)$"], searchPath: "bin:/usr/bin:/bin")
        #expect(await attempt(.string("./bin/\(tool)"), explicit, in: workspace) == nil)
        #expect(pwned(workspace))
    }

    @Test func theChildSeesThePolicysPathWithoutRelativeEntries() async throws {
        let workspace = try makeWorkspace()
        let policy = ShellPolicy(enabled: true, allow: ["^printenv PATH$"], searchPath: "bin::/usr/bin:.:/bin")
        let step = try await shell.run(PatchOperation(role: "shell", payload: "printenv PATH"), context: context(policy, workspace: workspace))
        #expect(step.stdoutTail == "/usr/bin:/bin\n")
    }
}
