import ApplierAPI
import Foundation
import GhostTesting
import Logging
import Testing

@testable import Host

/// The settings an operator adds at start: `create_workspace`, `log:`, and the workspace check.
@Suite struct OperatorConfigTests {
    @Test func logAndCreateWorkspaceAreRead() throws {
        let yaml = """
            log: {format: json, level: debug}
            queues:
              A: {dir: a, workspace: wa, create_workspace: true}
              B: {dir: b, workspace: wb}
            default_queue: A
            """
        let config = try GhostConfig.parse(yaml: yaml, baseDirectory: URL(fileURLWithPath: "/srv/ghost"))
        #expect(config.log.format == .json)
        #expect(config.log.level == .debug)
        #expect(config.queue(named: "A")?.createWorkspace == true)
        #expect(config.queue(named: "B")?.createWorkspace == false)
        let defaults = try GhostConfig.parse(yaml: "queues: {A: {dir: a, workspace: wa}}", baseDirectory: URL(fileURLWithPath: "/srv/ghost"))
        #expect(defaults.log.format == nil)
        #expect(defaults.log.level == nil)
    }

    @Test func badLogAndCreateWorkspaceValuesNameTheKey() {
        for (yaml, key) in [
            ("log: {format: xml}", "log.format"),
            ("log: {level: loud}", "log.level"),
            ("log: {colour: red}", "log.colour"),
            ("queues: {A: {dir: a, workspace: wa, create_workspace: maybe}}", "queues.A.create_workspace"),
        ] {
            #expect(throws: ConfigError.self) { try GhostConfig.parse(yaml: yaml, baseDirectory: URL(fileURLWithPath: "/srv/ghost")) }
            do {
                _ = try GhostConfig.parse(yaml: yaml, baseDirectory: URL(fileURLWithPath: "/srv/ghost"))
            } catch {
                #expect(error.keyPath == key, "\(yaml)")
            }
        }
    }

    @Test func aMissingWorkspaceIsAnErrorUnlessTheQueueAsksForIt() throws {
        let root = try makeTempFolder("config")
        let missing = QueueConfig(name: "A", directory: URL(fileURLWithPath: root + "/in"), workspace: URL(fileURLWithPath: root + "/typo"))
        #expect(throws: ConfigError.self) { try missing.prepareWorkspace() }
        do {
            try missing.prepareWorkspace()
        } catch {
            #expect(error.keyPath == "queues.A.workspace")
            #expect(error.message.contains(root + "/typo does not exist"))
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/typo"))

        try write("x", to: root + "/file")
        let notFolder = QueueConfig(name: "A", directory: URL(fileURLWithPath: root + "/in"), workspace: URL(fileURLWithPath: root + "/file"))
        #expect(throws: ConfigError.self) { try notFolder.prepareWorkspace() }

        var created = missing
        created.createWorkspace = true
        try created.prepareWorkspace()
        #expect(FileManager.default.fileExists(atPath: root + "/typo"))
        try missing.prepareWorkspace()
    }

    @Test func metricHelpPrecedesEveryType() {
        let text = "# TYPE ghost_queue_depth gauge\nghost_queue_depth{queue=\"a\"} 1\n# TYPE other_total counter\nother_total 2\n"
        let lines = String(decoding: HostMetrics.withHelp(text), as: UTF8.self).split(separator: "\n")
        #expect(lines[0] == "# HELP ghost_queue_depth Patches waiting in a queue.")
        #expect(lines[1] == "# TYPE ghost_queue_depth gauge")
        #expect(lines[3] == "# HELP other_total A GhostRunner metric.")
        #expect(lines.count == 6)
    }
}
