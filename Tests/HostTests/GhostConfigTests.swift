import ApplierAPI
import Foundation
import GhostTesting
import Testing
import Transport

@testable import Host

@Suite struct GhostConfigTests {
    let base = URL(fileURLWithPath: "/srv/ghost")

    @Test func theEmbeddedDefaultIsOneQueueOnLoopback5051() {
        let config = GhostConfig.embeddedDefault(in: base)
        #expect(config.http.host == "127.0.0.1")
        #expect(config.http.port == 5051)
        #expect(config.defaultQueue == "default")
        #expect(config.queues.map(\.directory.path) == ["/srv/ghost/patches"])
        #expect(config.queues.map(\.workspace.path) == ["/srv/ghost"])
        #expect(config.http.maxBodyBytes == 10 << 20)
    }

    @Test func readsTheMainAndCyopsSetup() throws {
        let yaml = """
            http: {port: 6000, token_env: GHOST_TOKEN, max_body_bytes: 2048}
            default_queue: CYOPS
            queues:
              MAIN:
                dir: MAIN/patches
                workspace: ~/code/main
              CYOPS:
                dir: /data/CYOPS/patches
                workspace: ../cyops
                aliases: [/Users/sawyer/gitSync]
                shell: {allow: ["^npm (run )?build$"], timeout_s: 90, env: {CI: "1"}}
            roles:
              license_header: {exec: [./plugins/license.py, --strict], timeout_s: 5}
            """
        let config = try GhostConfig.parse(yaml: yaml, baseDirectory: base, environment: ["GHOST_TOKEN": "abc"])
        #expect(config.http.port == 6000)
        #expect(config.http.token == "abc")
        #expect(config.http.maxBodyBytes == 2048)
        #expect(config.defaultQueue == "CYOPS")
        #expect(config.queues.map(\.name) == ["MAIN", "CYOPS"])
        #expect(config.queue(named: "MAIN")?.directory.path == "/srv/ghost/MAIN/patches")
        #expect(config.queue(named: "MAIN")?.workspace.path.hasSuffix("/code/main") == true)
        let cyops = try #require(config.queue(named: "CYOPS"))
        #expect(cyops.workspace.path == "/srv/cyops")
        #expect(cyops.aliases == ["/Users/sawyer/gitSync"])
        #expect(cyops.shell.enabled)
        #expect(cyops.shell.allow == ["^npm (run )?build$"])
        #expect(cyops.shell.timeout == .seconds(90))
        #expect(cyops.shell.environment == ["CI": "1"])
        #expect(config.roles.first?.argv == ["/srv/ghost/plugins/license.py", "--strict"])
        #expect(config.roles.first?.timeout == .seconds(5))
    }

    @Test func jsonIsAcceptedAsYAML() throws {
        let config = try GhostConfig.parse(yaml: #"{"queues": {"A": {"dir": "a", "shell": true}}}"#, baseDirectory: base)
        #expect(config.defaultQueue == "A")
        #expect(config.queues.first?.shell.enabled == true)
    }

    @Test(
        arguments: [
            ("htp: {}", "htp", "unknown key"),
            ("http: {port: 70000}", "http.port", "between 0 and 65535"),
            ("http: {port: web}", "http.port", "whole number"),
            ("http: {host: 0.0.0.0}", "http.host", "beyond loopback"),
            ("http: {token_env: NOT_SET_ANYWHERE}", "http.token_env", "not set"),
            ("queues: {MAIN: {workspace: x}}", "queues.MAIN", "missing 'dir'"),
            ("queues: {MAIN: {dir: p, shel: true}}", "queues.MAIN.shel", "unknown key"),
            ("queues: {MAIN: {dir: p, shell: {allow: [\"(\"]}}}", "queues.MAIN.shell.allow[0]", "PCRE2"),
            ("queues: {MAIN: {dir: p, aliases: [relative]}}", "queues.MAIN.aliases[0]", "absolute"),
            ("queues: {A: {dir: a, workspace: a}, B: {dir: b, workspace: b}}", "default_queue", "several queues"),
            ("queues: {A: {dir: a}}\ndefault_queue: B", "default_queue", "no queue is named 'B'"),
            ("queues: {A: {dir: a, workspace: w}, B: {dir: b, workspace: w}}\ndefault_queue: A", "queues.B.workspace", "same workspace"),
            ("queues: {\"a b\": {dir: a}}", "queues.a b", "letters, digits"),
            ("roles: {fmt: {timeout_s: 3}}", "roles.fmt", "missing 'exec'"),
            ("queues: [a, b]", "queues", "mapping"),
        ]
    )
    func badValuesAreReportedWithTheirKeyPath(yaml: String, keyPath: String, message: String) {
        #expect {
            try GhostConfig.parse(yaml: yaml, baseDirectory: base)
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.keyPath == keyPath && error.message.contains(message) && error.line != nil
        }
    }

    @Test func discoveryPrefersTheFlagThenTheEnvironmentThenGhostYml() throws {
        let folder = URL(fileURLWithPath: try makeTempFolder("config"))
        #expect(try GhostConfig.load(explicitPath: nil, environment: [:], currentDirectory: folder).origin == "embedded default")
        try Data("http: {port: 1}".utf8).write(to: folder.appendingPathComponent("ghost.yml"))
        try Data("http: {port: 2}".utf8).write(to: folder.appendingPathComponent("env.yml"))
        try Data("http: {port: 3}".utf8).write(to: folder.appendingPathComponent("flag.yml"))
        #expect(try GhostConfig.load(explicitPath: nil, environment: [:], currentDirectory: folder).http.port == 1)
        let environment = ["GHOST_CONFIG": folder.appendingPathComponent("env.yml").path]
        #expect(try GhostConfig.load(explicitPath: nil, environment: environment, currentDirectory: folder).http.port == 2)
        #expect(try GhostConfig.load(explicitPath: "flag.yml", environment: environment, currentDirectory: folder).http.port == 3)
        #expect(throws: ConfigError.self) { try GhostConfig.load(explicitPath: "missing.yml", environment: [:], currentDirectory: folder) }
    }
}
