import ApplierAPI
import Foundation
import GhostTesting
import Testing
import Transport

@testable import Host

/// Configurations that would hand the machine to whoever can reach the host are refused, with the
/// key's path, its line and what to do instead.
@Suite struct DangerousConfigTests {
    let base = URL(fileURLWithPath: "/srv/ghost")
    let longToken = String(repeating: "k", count: 32)

    private func refusal(_ yaml: String, environment: [String: String] = [:], base: URL? = nil) -> ConfigError? {
        do {
            _ = try GhostConfig.parse(yaml: yaml, baseDirectory: base ?? self.base, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    @Test func beyondLoopbackAShortSecretIsRefused() {
        let short = refusal("http: {host: 0.0.0.0, token: x}")
        #expect(short?.keyPath == "http.token")
        #expect(short?.message.contains("at least 32") == true)
        #expect(short?.line != nil)
        let shortHMAC = refusal("http: {host: 0.0.0.0, hmac_secret_env: S}", environment: ["S": "secret"])
        #expect(shortHMAC?.keyPath == "http.hmac_secret_env")
        #expect(refusal("http: {host: 0.0.0.0, token: \(longToken)}") == nil)
        // On loopback a short token is the user's business.
        #expect(refusal("http: {host: 127.0.0.1, token: x}") == nil)
    }

    @Test func loopbackIsDecidedByTheResolvedAddressNotTheName() {
        // "localhost" resolves to loopback; a name that resolves elsewhere (or nowhere) is beyond loopback.
        #expect(HTTPSettings(host: "localhost").isLoopback)
        #expect(HTTPSettings(host: "127.0.0.2").isLoopback)
        #expect(HTTPSettings(host: "::1").isLoopback)
        #expect(!HTTPSettings(host: "0.0.0.0").isLoopback)
        #expect(!HTTPSettings(host: "127.example.invalid").isLoopback)
        #expect(refusal("http: {host: 127.example.invalid}")?.message.contains("beyond loopback") == true)
    }

    @Test(arguments: ["/", "/etc", "/usr", "/var", "/proc"])
    func aSystemFolderIsNoWorkspace(workspace: String) {
        let error = refusal("queues: {A: {dir: /srv/ghost/a, workspace: \(workspace)}}")
        #expect(error?.keyPath == "queues.A.workspace")
        #expect(error?.message.contains("system folder") == true)
    }

    @Test func theHomeFolderIsNoWorkspace() throws {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        let error = refusal("queues: {A: {dir: /srv/ghost/a, workspace: \(home)}}")
        #expect(error?.keyPath == "queues.A.workspace")
        #expect(error?.message.contains("home folder") == true)
        // The embedded default started in the home folder says how to start it instead.
        #expect {
            try GhostConfig.load(explicitPath: nil, environment: [:], currentDirectory: URL(fileURLWithPath: home))
        } throws: { error in
            (error as? ConfigError)?.message.contains("start ghost serve in a project folder") == true
        }
    }

    @Test func aFolderHoldingTheHomeFolderIsNoWorkspace() throws {
        let root = try makeTempFolder("homes")
        try FileManager.default.createDirectory(atPath: root + "/home/alice/project", withIntermediateDirectories: true)
        let home = root + "/home/alice"
        for workspace in [root + "/home", root] {
            let queue = QueueConfig(name: "A", directory: URL(fileURLWithPath: root + "/inbox"), workspace: URL(fileURLWithPath: workspace))
            #expect(throws: ConfigError.self, "\(workspace)") { try ConfigSafety.check(queue, line: nil, home: home) }
        }
        // A project inside the home folder is fine.
        let project = QueueConfig(name: "A", directory: URL(fileURLWithPath: root + "/inbox"), workspace: URL(fileURLWithPath: home + "/project"))
        try ConfigSafety.check(project, line: nil, home: home)
    }

    @Test func workspacesThatAreOneThroughASymlinkOrNestedAreRefused() throws {
        let root = try makeTempFolder("nest")
        try FileManager.default.createDirectory(atPath: root + "/real/inner", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: root + "/real")
        let same = refusal("queues: {A: {dir: a, workspace: real}, B: {dir: b, workspace: link}}\ndefault_queue: A", base: URL(fileURLWithPath: root))
        #expect(same?.keyPath == "queues.B.workspace")
        #expect(same?.message.contains("same workspace") == true)
        let nested = refusal(
            "queues: {A: {dir: a, workspace: real}, B: {dir: b, workspace: link/inner}}\ndefault_queue: A",
            base: URL(fileURLWithPath: root)
        )
        #expect(nested?.keyPath == "queues.B.workspace")
        #expect(nested?.message.contains("nested") == true)
    }

    @Test func aWorldWritableInboxIsRefused() throws {
        let root = try makeTempFolder("inbox")
        try FileManager.default.createDirectory(atPath: root + "/patches", withIntermediateDirectories: true)
        chmod(root + "/patches", 0o777)
        let error = refusal("queues: {A: {dir: patches, workspace: ws}}", base: URL(fileURLWithPath: root))
        #expect(error?.keyPath == "queues.A.dir")
        #expect(error?.message.contains("chmod o-w") == true)
        chmod(root + "/patches", 0o755)
        #expect(refusal("queues: {A: {dir: patches, workspace: ws}}", base: URL(fileURLWithPath: root)) == nil)
    }

    @Test func limitsAndShellSettingsAreReadPerQueue() throws {
        let config = try GhostConfig.parse(
            yaml: """
                limits: {max_file_bytes: 1000, regex_ms: 300, crash_retries: 3}
                http: {token: t, allowed_hosts: [ghost.lan], allowed_origins: ["https://app.example"]}
                default_queue: A
                queues:
                  A: {dir: a, workspace: wa, limits: {regex_ms: 50}, token_env: A_TOKEN}
                  B: {dir: b, workspace: wb, shell: {allow: ["^npm test$"], env_allow: [CI], path: /usr/bin:/bin}}
                """,
            baseDirectory: base,
            environment: ["A_TOKEN": "queue-a"]
        )
        let a = try #require(config.queue(named: "A"))
        let b = try #require(config.queue(named: "B"))
        #expect(a.limits.maxFileBytes == 1000 && a.limits.regexMilliseconds == 50 && a.crashRetries == 3)
        #expect(b.limits.regexMilliseconds == 300)
        #expect(b.shell.environmentAllow == ["CI"] && b.shell.searchPath == "/usr/bin:/bin")
        #expect(config.http.queueCredentials["A"]?.token == "queue-a")
        #expect(config.http.allowedHosts == ["ghost.lan"] && config.http.allowedOrigins == ["https://app.example"])
        #expect(PatchLimits.default.maxFileBytes == 64 << 20)
        // A queue's own credentials need the host's.
        let alone = refusal("queues: {A: {dir: a, token: q}}")
        #expect(alone?.keyPath == "queues.A.token")
        #expect(refusal("http: {allowed_origins: [\"evil.example\"]}")?.keyPath == "http.allowed_origins[0]")
    }
}
