import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// The host keeps a replaced file open until its patch is done (so that freeing the old file's blocks is
/// not part of the rename) and creates each receipt's temp file ahead of time: none of those descriptors
/// may outlive its patch.
@Suite struct DescriptorTests {
    /// The descriptors the process has open.
    static func openDescriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    @Test func patchesLeaveNoDescriptorOpen() async throws {
        guard FileManager.default.fileExists(atPath: "/proc/self/fd") else { return }
        let folder = try makeTempFolder("cli")
        try write("a\n", to: folder + "/src/App.tsx")
        let host = try await ServeProcess.start(folder: folder)
        // One patch first, so every lazily opened descriptor (journal, I/O threads) is there before counting.
        let warmup = try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "w", pattern: "a$", replacement: "b"))
        #expect(json(warmup)?["result"]?["status"] == "applied")
        #expect(await eventually(5) { files(in: folder + "/src").filter { $0.contains(".ghost-") }.isEmpty })
        let before = Self.openDescriptors(host.process.processIdentifier)
        for index in 0..<40 {
            // Each replaces the file: the old one is held open until the patch is done, then closed.
            _ = try host.request("POST", "/api/patches", body: regexPatch(id: "p\(index)", pattern: "\\n$", replacement: "x\\n"))
        }
        let last = try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "last", pattern: "\\n$", replacement: "!\\n"))
        #expect(json(last)?["result"]?["status"] == "applied")
        #expect(readText(folder + "/src/App.tsx") == "b" + String(repeating: "x", count: 40) + "!\n")
        // Replaced files are closed on a background thread right after their patch.
        #expect(await eventually(5) { Self.openDescriptors(host.process.processIdentifier) <= before + 2 })
        #expect(files(in: folder + "/patches/.ghost/tmp").isEmpty, "temp files left: \(files(in: folder + "/patches/.ghost/tmp"))")
        await host.stop()
    }
}
