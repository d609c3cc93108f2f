import ApplierAPI
import Foundation
import GhostTesting
import Host
import Testing

@Suite struct WorkspaceTests {
    @Test(arguments: ["../escape.txt", "a/../../escape.txt", "/etc/passwd", "a\u{0}b", "/tmp/../etc/passwd"])
    func refusesPathsLeadingOut(_ path: String) throws {
        let root = try makeTempFolder()
        let workspace = try Workspace(root: root)
        let error = #expect(throws: ApplyError.self) { try workspace.components(of: path) }
        #expect(error?.reason == .pathOutsideWorkspace)
    }

    @Test func absolutePathsInsideTheRootOrAnAliasAreRelative() throws {
        let root = try makeTempFolder()
        let workspace = try Workspace(root: root, aliases: ["/Users/sawyer/gitSync"])
        #expect(try workspace.components(of: root + "/src/a.ts") == ["src", "a.ts"])
        #expect(try workspace.components(of: "/Users/sawyer/gitSync/gpt-cursor-runner/x.js") == ["gpt-cursor-runner", "x.js"])
        #expect(try workspace.components(of: "./src//./a.ts") == ["src", "a.ts"])
        #expect(throws: ApplyError.self) { try workspace.components(of: "/Users/sawyer/gitSyncX/a") }
    }

    @Test func writeIsAtomicKeepsModeAndLeavesNoTempFile() throws {
        let root = try makeTempFolder()
        try writeFile(root + "/run.sh", "old", mode: 0o750)
        let workspace = try Workspace(root: root)
        let (_, before) = try workspace.read("run.sh")
        try workspace.writeAtomically("run.sh", bytes: Array("new".utf8), mode: before!.mode)
        #expect(readText(root + "/run.sh") == "new")
        #expect(mode(root + "/run.sh") == 0o750)
        #expect(listing(root) == ["run.sh"])
    }

    @Test func symlinkOutOfTheWorkspaceIsRefusedForReadAndWrite() throws {
        let root = try makeTempFolder()
        let outside = try makeTempFolder("outside")
        try writeFile(outside + "/secret", "s")
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: root + "/file-link", withDestinationPath: outside + "/secret")
        let workspace = try Workspace(root: root)
        for path in ["link/secret", "file-link"] {
            do {
                _ = try workspace.read(path)
                Issue.record("read through \(path) should be refused")
            } catch { #expect(error.reason == .pathOutsideWorkspace) }
            do {
                try workspace.writeAtomically(path, bytes: [0x78], mode: 0o644)
                Issue.record("write through \(path) should be refused")
            } catch { #expect(error.reason == .pathOutsideWorkspace) }
        }
        #expect(readText(outside + "/secret") == "s")
        #expect(listing(outside) == ["secret"])
    }

    @Test func relativeSymlinkClimbingOutIsRefusedButOneInsideIsFollowed() throws {
        let root = try makeTempFolder()
        try writeFile(root + "/real/a.txt", "inside")
        try FileManager.default.createSymbolicLink(atPath: root + "/alias", withDestinationPath: "real")
        try FileManager.default.createSymbolicLink(atPath: root + "/up", withDestinationPath: "../..")
        let workspace = try Workspace(root: root)
        #expect(try workspace.read("alias/a.txt").content?.bytes == Array("inside".utf8))
        #expect(try workspace.read("alias/a.txt").relative == "real/a.txt")
        do {
            _ = try workspace.read("up/etc/passwd")
            Issue.record("expected refusal")
        } catch { #expect(error.reason == .pathOutsideWorkspace) }
    }

    @Test func missingFilesReadAsNil() throws {
        let workspace = try Workspace(root: try makeTempFolder())
        #expect(try workspace.read("no/such/file").content == nil)
    }
}
