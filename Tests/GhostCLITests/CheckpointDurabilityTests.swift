import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// A patch's workspace rename is made durable by the queue's checkpoint, together with its receipt: by
/// `syncfs` when the workspace shares the spool's file system, by an fsync of the folder when it does not.
/// An HTTP `?wait` answer comes after that checkpoint. Watched with strace (`-e trace=fsync,syncfs`): each
/// line is written when its call returns, so what the log holds when the answer arrives happened before it.
@Suite(.serialized) struct CheckpointDurabilityTests {
    static let patch = #"{"id":"c1","role":"ui_patch","target_file":"src/App.tsx","patch":{"pattern":"Old","replacement":"New"}}"#

    /// Runs one `?wait` patch with the spool in `spoolFolder`; returns the response and the strace log as
    /// it was when the response arrived.
    func run(spoolFolder: String, workspace: String) async throws -> (status: Int, body: JSONValue?, trace: String) {
        guard let strace = FaultInjectionTests.strace else {
            Issue.record("strace is needed: apt-get install strace (.ci/run installs it)")
            return (0, nil, "")
        }
        try write("queues:\n  default:\n    dir: \(spoolFolder)\n    workspace: .\n", to: workspace + "/ghost.yml")
        try write("<Text>Old</Text>\n", to: workspace + "/src/App.tsx")
        let trace = workspace + "/strace.log"
        let host = try await ServeProcess.start(
            folder: workspace,
            wrapper: [strace, "-f", "-qq", "-o", trace, "-e", "trace=fsync,syncfs", "-y"]
        )
        let response = try? host.request("POST", "/api/patches?wait=10", body: Self.patch)
        let log = readText(trace) ?? ""
        await host.stopWrapped()
        return (response?.status ?? 0, response.flatMap { try? JSONParser.parse($0.body) }, log)
    }

    @Test func aWorkspaceOnAnotherFileSystemHasItsFolderSyncedBeforeTheWaitIsAnswered() async throws {
        let workspace = URL(fileURLWithPath: try makeTempFolder("cli")).resolvingSymlinksInPath().path
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let shm = "/dev/shm/ghost-checkpoint-\(UUID().uuidString)"
        var spoolInfo = stat()
        var workspaceInfo = stat()
        try FileManager.default.createDirectory(atPath: shm, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: shm) }
        guard stat(shm, &spoolInfo) == 0, stat(workspace, &workspaceInfo) == 0, spoolInfo.st_dev != workspaceInfo.st_dev else {
            Issue.record("/dev/shm is not a file system of its own here; the test needs one beside the temp folder")
            return
        }
        let (status, body, log) = try await run(spoolFolder: shm + "/patches", workspace: workspace)
        #expect(status == 200)
        #expect(body?["result"]?["status"] == "applied")
        #expect(readText(workspace + "/src/App.tsx") == "<Text>New</Text>\n")
        // The syncfs covers the spool's tmpfs; the workspace folder on the other file system gets its own fsync.
        #expect(log.contains("syncfs("), "\(log)")
        #expect(log.contains("fsync(") && log.contains("<\(workspace)/src>"), "the folder of src/App.tsx was not synced:\n\(log)")
    }

    @Test func aWorkspaceBesideTheSpoolIsCoveredBySyncfsWithoutAFolderFsync() async throws {
        let workspace = URL(fileURLWithPath: try makeTempFolder("cli")).resolvingSymlinksInPath().path
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let (status, body, log) = try await run(spoolFolder: "patches", workspace: workspace)
        #expect(status == 200)
        #expect(body?["result"]?["status"] == "applied")
        #expect(readText(workspace + "/src/App.tsx") == "<Text>New</Text>\n")
        // One syncfs of the shared file system makes the rename and the receipt durable together.
        #expect(log.contains("syncfs(") && log.contains("<\(workspace)/patches>"), "\(log)")
        #expect(!log.contains("<\(workspace)/src>"), "the folder was synced on its own although syncfs covers it:\n\(log)")
    }
}
