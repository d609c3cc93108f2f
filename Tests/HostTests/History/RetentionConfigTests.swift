import ApplierAPI
import Foundation
import Testing

@testable import Host

@Suite struct RetentionConfigTests {
    let base = URL(fileURLWithPath: "/srv/ghost")

    @Test func theDefaultKeepsEveryFileAndRemembersIDsThirtyDays() throws {
        let config = try GhostConfig.parse(yaml: "queues: {A: {dir: a}}", baseDirectory: base)
        #expect(
            config.queues[0].retention == RetentionPolicy(completed: .forever, failed: .forever, action: .archive, dedupWindow: .seconds(2_592_000))
        )
    }

    @Test func aQueueRefinesTheTopLevelPolicy() throws {
        let yaml = """
            retention: {completed: 30d, failed: 90d, dedup_window: 45d}
            default_queue: A
            queues:
              A: {dir: a, workspace: a}
              B: {dir: b, workspace: b, retention: {completed: 10000, action: delete, failed: forever}}
              C: {dir: c, workspace: c, retention: {dedup_window: 12h}}
            """
        let queues = try GhostConfig.parse(yaml: yaml, baseDirectory: base).queues
        #expect(
            queues[0].retention
                == RetentionPolicy(completed: .age(.seconds(2_592_000)), failed: .age(.seconds(7_776_000)), dedupWindow: .seconds(3_888_000))
        )
        #expect(
            queues[1].retention == RetentionPolicy(completed: .count(10_000), failed: .forever, action: .delete, dedupWindow: .seconds(3_888_000))
        )
        #expect(queues[2].retention.dedupWindow == .seconds(43_200))
        #expect(queues[2].retention.completed == .age(.seconds(2_592_000)))
    }

    /// Before-images: 4 MiB per patch by default, a size with a unit or in bytes, per queue over the top level.
    @Test func beforeImagesPerPatchTakesASize() throws {
        let yaml = """
            retention: {before_images_per_patch: 512KB}
            default_queue: A
            queues:
              A: {dir: a, workspace: a}
              B: {dir: b, workspace: b, retention: {before_images_per_patch: 0}}
              C: {dir: c, workspace: c, retention: {before_images_per_patch: 1.5MB}}
              D: {dir: d, workspace: d, retention: {before_images_per_patch: 1000}}
            """
        let queues = try GhostConfig.parse(yaml: yaml, baseDirectory: base).queues
        #expect(queues.map(\.retention.beforeImageBytes) == [512 << 10, 0, 3 << 19, 1000])
        #expect(RetentionPolicy.default.beforeImageBytes == 4 << 20)
    }

    @Test(arguments: [
        ("retention: {completed: 30x}", "retention.completed"),
        ("retention: {completed: -1}", "retention.completed"),
        ("retention: {failed: d}", "retention.failed"),
        ("retention: {action: shred}", "retention.action"),
        ("retention: {dedup_window: 100}", "retention.dedup_window"),
        ("retention: {keep: 1d}", "retention.keep"),
        ("retention: {before_images_per_patch: 4XB}", "retention.before_images_per_patch"),
        ("retention: {before_images_per_patch: 2GB}", "retention.before_images_per_patch"),
        ("retention: {before_images_per_patch: -1}", "retention.before_images_per_patch"),
    ])
    func badValuesAreRefusedWithTheirKey(yaml: String, key: String) {
        #expect {
            try GhostConfig.parse(yaml: yaml + "\nqueues: {A: {dir: a}}", baseDirectory: base)
        } throws: { error in
            "\(error)".contains(key)
        }
    }
}
