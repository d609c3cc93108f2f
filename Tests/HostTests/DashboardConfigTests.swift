import Foundation
import Testing
import Transport

@testable import Host

/// `dashboard:` in `ghost.yml` reaches the HTTP settings.
@Suite struct DashboardConfigTests {
    let base = URL(fileURLWithPath: "/srv/ghost")

    @Test func theDashboardIsOnAndActsByDefault() throws {
        let config = try GhostConfig.parse(yaml: "queues: {A: {dir: a, workspace: wa}}", baseDirectory: base)
        #expect(config.http.dashboard.enabled)
        #expect(!config.http.dashboard.readOnly)
    }

    @Test func enabledAndReadOnlyAreRead() throws {
        let yaml = "dashboard: {enabled: false, read_only: true}\nqueues: {A: {dir: a, workspace: wa}}"
        let config = try GhostConfig.parse(yaml: yaml, baseDirectory: base)
        #expect(!config.http.dashboard.enabled)
        #expect(config.http.dashboard.readOnly)
    }

    @Test func badValuesNameTheKey() {
        for (yaml, key) in [("dashboard: {read_only: sometimes}", "dashboard.read_only"), ("dashboard: {theme: dark}", "dashboard.theme")] {
            do {
                _ = try GhostConfig.parse(yaml: yaml, baseDirectory: base)
                Issue.record("accepted \(yaml)")
            } catch {
                #expect(error.keyPath == key, "\(yaml)")
            }
        }
    }
}
