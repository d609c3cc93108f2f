import ApplierAPI
import Appliers
import Foundation
import GhostTesting
import Testing

@testable import Host

/// Attacks on the workspace: each test sends the attack and checks that nothing happened on disk.
@Suite struct WorkspaceHostileTests {
    private func run(_ json: String, in workspace: Workspace, options: RunOptions = RunOptions()) async -> Receipt {
        await PatchRunner(registry: .builtIn()).run(json: Array(json.utf8), in: workspace, options: options)
    }

    private func expectFailure(_ reason: Reason, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected \(reason.rawValue)")
        } catch let error as ApplyError {
            #expect(error.reason == reason, "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    // MARK: FIFOs, sockets, devices

    @Test(.timeLimit(.minutes(1))) func aFIFOAsTargetFailsAtOnceWithoutBlocking() async throws {
        let root = try makeTempFolder()
        #expect(mkfifo(root + "/pipe", 0o644) == 0)
        let workspace = try Workspace(root: root)
        expectFailure(.ioError) { _ = try workspace.read("pipe") }
        expectFailure(.ioError) { try workspace.setMode("pipe", mode: 0o600) }
        for patch in [
            #"{"id": "f1", "role": "ui_patch", "target_file": "pipe", "patch": {"pattern": "a", "replacement": "b"}}"#,
            #"{"id": "f2", "role": "chmod", "target_file": "pipe", "patch": {"mode": "0600"}}"#,
            #"{"id": "f3", "role": "write", "target_file": "pipe", "patch": {"contents": "x"}}"#,
        ] {
            let receipt = await run(patch, in: workspace)
            #expect(receipt.status == .failed)
            #expect(receipt.reason == .ioError)
            #expect(receipt.message?.contains("FIFO") == true, "\(receipt.message ?? "")")
        }
        var info = stat()
        #expect(lstat(root + "/pipe", &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(info.st_mode & 0o777 == 0o644)
        #expect(listing(root) == ["pipe"])
    }

    @Test(.timeLimit(.minutes(1))) func aDeviceReachedThroughAnInsideSymlinkIsNotOpened() async throws {
        let root = try makeTempFolder()
        // /dev/zero is outside, so the link is refused; a device inside is refused as "a device".
        try FileManager.default.createSymbolicLink(atPath: root + "/zero", withDestinationPath: "/dev/zero")
        let workspace = try Workspace(root: root)
        expectFailure(.pathOutsideWorkspace) { _ = try workspace.read("zero") }
        let receipt = await run(
            #"{"id": "d", "role": "ui_patch", "target_file": "zero", "patch": {"pattern": "a", "replacement": "b"}}"#,
            in: workspace
        )
        #expect(receipt.reason == .pathOutsideWorkspace)
    }

    /// A file that grows while it is read (here: is larger than its size said) stops at the limit.
    @Test func aFileGrowingWhileItIsReadStopsAtTheLimit() throws {
        let root = try makeTempFolder()
        try writeFile(root + "/log", String(repeating: "x", count: 200_000))
        let fd = open(root + "/log", O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        do {
            _ = try Workspace.readAll(fd, expected: 10, name: "log", limit: 100_000)
            Issue.record("expected limit_exceeded")
        } catch {
            #expect(error.reason == .limitExceeded)
        }
    }

    // MARK: Deep and long paths

    @Test func aPathOf25000ComponentsFailsAtOnceAndLeavesNoFolder() async throws {
        let root = try makeTempFolder()
        let workspace = try Workspace(root: root)
        let deep = Array(repeating: "d", count: 25_000).joined(separator: "/") + "/f.txt"
        let receipt = await run(#"{"id": "deep", "role": "write", "target_file": "\#(deep)", "patch": {"contents": "x"}}"#, in: workspace)
        #expect(receipt.status == .failed)
        #expect(receipt.reason == .limitExceeded)
        #expect(listing(root).isEmpty)
        expectFailure(.limitExceeded) { try workspace.writeAtomically(deep, bytes: [0x78], mode: 0o644) }
        #expect(listing(root).isEmpty)
    }

    @Test func pathLimitsAreComponentsAndBytes() throws {
        let root = try makeTempFolder()
        let workspace = try Workspace(root: root)
        let limit = Workspace.maximumPathComponents
        let deepest = Array(repeating: "d", count: limit - 1).joined(separator: "/") + "/f"
        try workspace.writeAtomically(deepest, bytes: [0x78], mode: 0o644)
        #expect(readText(root + "/" + deepest) == "x")
        expectFailure(.limitExceeded) { try workspace.writeAtomically("d/" + deepest, bytes: [0x78], mode: 0o644) }
        let long = String(repeating: "n", count: 200) + "/" + String(repeating: "m", count: Workspace.maximumPathBytes)
        expectFailure(.limitExceeded) { try workspace.writeAtomically(long, bytes: [0x78], mode: 0o644) }
        #expect(listing(root).allSatisfy { $0.hasPrefix("d") })
    }

    @Test func foldersCreatedForAWriteThatFailsAreRemoved() async throws {
        let root = try makeTempFolder()
        let workspace = try Workspace(root: root)
        // The third folder's name is longer than a file name may be: mkdir fails after two folders were made.
        let tooLongFolder = "a/b/" + String(repeating: "x", count: 300) + "/f.txt"
        expectFailure(.ioError) { try workspace.writeAtomically(tooLongFolder, bytes: [0x78], mode: 0o644) }
        #expect(listing(root).isEmpty)
        // Folders made, then the final rename fails.
        let tooLongName = "a/b/" + String(repeating: "y", count: 300)
        expectFailure(.ioError) { try workspace.writeAtomically(tooLongName, bytes: [0x78], mode: 0o644) }
        #expect(listing(root).isEmpty)
        // Through the runner, rollback or not, nothing stays.
        let result = await run(#"{"id": "long", "role": "write", "target_file": "\#(tooLongFolder)", "patch": {"contents": "x"}}"#, in: workspace)
        #expect(result.status == .failed)
        #expect(listing(root).isEmpty)
    }

    // MARK: Modes

    @Test(arguments: ["4755", "2755", "1777", "6777", "0o4755"])
    func setuidSetgidAndStickyModesAreRefused(_ mode: String) async throws {
        let root = try makeTempFolder()
        try writeFile(root + "/run.sh", "echo\n", mode: 0o644)
        let workspace = try Workspace(root: root)
        let chmod = await run(#"{"id": "m", "role": "chmod", "target_file": "run.sh", "patch": {"mode": "\#(mode)"}}"#, in: workspace)
        #expect(chmod.status == .failed)
        #expect(chmod.reason == .invalidPatch)
        #expect(ghostMode(root + "/run.sh") == 0o644)
        let write = await run(
            #"{"id": "w", "role": "write", "target_file": "new.sh", "patch": {"contents": "x", "mode": "\#(mode)"}}"#,
            in: workspace
        )
        #expect(write.reason == .invalidPatch)
        #expect(listing(root) == ["run.sh"])
    }

    @Test func theWorkspaceNeverSetsMoreThanPermissionBits() throws {
        let root = try makeTempFolder()
        try writeFile(root + "/a", "a", mode: 0o644)
        let workspace = try Workspace(root: root)
        try workspace.setMode("a", mode: 0o4755)
        #expect(ghostMode(root + "/a") == 0o755)
        try workspace.writeAtomically("b", bytes: [0x62], mode: 0o6775)
        #expect(ghostMode(root + "/b") == 0o775)
    }

    // MARK: Hard links

    @Test func chmodOfAHardLinkToAnOutsideFileIsRefused() async throws {
        let root = try makeTempFolder()
        let outside = try makeTempFolder("outside")
        try writeFile(outside + "/secret", "secret\n", mode: 0o600)
        #expect(link(outside + "/secret", root + "/innocent.txt") == 0)
        let workspace = try Workspace(root: root)
        let receipt = await run(#"{"id": "h", "role": "chmod", "target_file": "innocent.txt", "patch": {"mode": "0777"}}"#, in: workspace)
        #expect(receipt.status == .failed)
        #expect(receipt.reason == .pathOutsideWorkspace)
        #expect(receipt.message?.contains("2 hard links; refusing to change its mode in place") == true, "\(receipt.message ?? "")")
        #expect(ghostMode(outside + "/secret") == 0o600)
        expectFailure(.pathOutsideWorkspace) { try workspace.setMode("innocent.txt", mode: 0o644) }
        #expect(ghostMode(outside + "/secret") == 0o600)
    }

    @Test func aWriteThroughAHardLinkReplacesTheNameAndLeavesTheOutsideFile() async throws {
        let root = try makeTempFolder()
        let outside = try makeTempFolder("outside")
        try writeFile(outside + "/secret", "secret\n", mode: 0o600)
        #expect(link(outside + "/secret", root + "/innocent.txt") == 0)
        let workspace = try Workspace(root: root)
        for patch in [
            #"{"id": "w", "role": "write", "target_file": "innocent.txt", "patch": {"contents": "pwned\n"}}"#,
            #"{"id": "r", "role": "ui_patch", "target_file": "innocent.txt", "patch": {"pattern": "pwned", "replacement": "owned"}}"#,
        ] {
            let receipt = await run(patch, in: workspace)
            #expect(receipt.status == .applied, "\(receipt.message ?? "")")
        }
        #expect(readText(root + "/innocent.txt") == "owned\n")
        #expect(readText(outside + "/secret") == "secret\n")
        #expect(ghostMode(outside + "/secret") == 0o600)
    }

    // MARK: Reserved paths

    /// A workspace whose `patches` folder (existing) and `inbox` folder (not yet made) are the host's own.
    private func reservedWorkspace() throws -> (root: String, workspace: Workspace) {
        let root = try makeTempFolder()
        try writeFile(root + "/patches/receipt.json", "{}", mode: 0o644)
        try writeFile(root + "/src/a.txt", "a\n")
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: "patches")
        try FileManager.default.createSymbolicLink(atPath: root + "/abs-link", withDestinationPath: root + "/patches")
        // The reserved list names the root through a symlink: compared by real path all the same.
        let viaLink = try makeTempFolder("via") + "/root"
        try FileManager.default.createSymbolicLink(atPath: viaLink, withDestinationPath: root)
        let workspace = try Workspace(root: root, reserved: [viaLink + "/patches", root + "/inbox", "/var/elsewhere/spool"])
        return (root, workspace)
    }

    @Test(arguments: [
        "patches/receipt.json", "patches/new.json", "patches", "link/receipt.json", "link", "abs-link/x", "./patches//receipt.json", "inbox/p.json",
        "inbox",
    ])
    func reservedPathsAreRefusedForEveryOperation(_ path: String) async throws {
        let (root, workspace) = try reservedWorkspace()
        let before = listing(root)
        expectFailure(.pathReserved) { _ = try workspace.read(path) }
        expectFailure(.pathReserved) { try workspace.writeAtomically(path, bytes: Array("pwned".utf8), mode: 0o644) }
        expectFailure(.pathReserved) { try workspace.setMode(path, mode: 0o777) }
        if path != "link" {  // deleting the symlink itself removes only a name in the workspace
            expectFailure(.pathReserved) { try workspace.remove(path) }
        }
        for patch in [
            #"{"id": "w", "role": "write", "target_file": "\#(path)", "patch": {"contents": "pwned"}}"#,
            #"{"id": "c", "role": "chmod", "target_file": "\#(path)", "patch": {"mode": "0777"}}"#,
            #"{"id": "r", "role": "ui_patch", "target_file": "\#(path)", "patch": {"pattern": "\\{", "replacement": "x"}}"#,
            #"{"id": "d", "role": "delete", "target_file": "\#(path)", "patch": {}}"#,
        ] where !(path == "link" && patch.contains("delete")) {
            let receipt = await run(patch, in: workspace)
            #expect(receipt.status == .failed)
            #expect(receipt.reason == .pathReserved, "\(patch): \(receipt.message ?? "")")
        }
        #expect(listing(root) == before)
        #expect(readText(root + "/patches/receipt.json") == "{}")
        #expect(ghostMode(root + "/patches/receipt.json") == 0o644)
        #expect(!FileManager.default.fileExists(atPath: root + "/inbox"))
    }

    @Test func aSiblingWithTheSamePrefixIsNotReserved() async throws {
        let (root, workspace) = try reservedWorkspace()
        let receipt = await run(#"{"id": "s", "role": "write", "target_file": "patches2/x", "patch": {"contents": "ok"}}"#, in: workspace)
        #expect(receipt.status == .applied, "\(receipt.message ?? "")")
        #expect(readText(root + "/patches2/x") == "ok")
        #expect(try workspace.read("inboxes/none").content == nil)
        #expect(workspace.reserved.sorted() == ["inbox", "patches"])
    }

    @Test func aReservedFolderAboveTheWorkspaceReservesEverything() throws {
        let parent = try makeTempFolder()
        try writeFile(parent + "/ws/a.txt", "a")
        let workspace = try Workspace(root: parent + "/ws", reserved: [parent])
        expectFailure(.pathReserved) { _ = try workspace.read("a.txt") }
    }

    @Test func containedFolderGivesTheRealPathOfAFolderInside() throws {
        let (root, workspace) = try reservedWorkspace()
        let real = workspace.realRoot
        #expect(try workspace.containedFolder("src") == real + "/src")
        #expect(try workspace.containedFolder("./src/") == real + "/src")
        #expect(try workspace.containedFolder(root + "/src") == real + "/src")
        #expect(try workspace.containedFolder(".") == real)
        #expect(try workspace.containedFolder("") == real)
        #expect(try workspace.containedFolder("./") == real)
        #expect(try workspace.containedFolder(root) == real)
        try FileManager.default.createSymbolicLink(atPath: root + "/src-link", withDestinationPath: "src")
        #expect(try workspace.containedFolder("src-link") == real + "/src")
        expectFailure(.pathReserved) { _ = try workspace.containedFolder("patches") }
        expectFailure(.pathReserved) { _ = try workspace.containedFolder("link") }
        expectFailure(.pathReserved) { _ = try workspace.containedFolder("inbox") }
        expectFailure(.fileNotFound) { _ = try workspace.containedFolder("missing") }
        expectFailure(.fileNotFound) { _ = try workspace.containedFolder("missing/deeper") }
        expectFailure(.ioError) { _ = try workspace.containedFolder("src/a.txt") }
        expectFailure(.pathOutsideWorkspace) { _ = try workspace.containedFolder("../") }
        expectFailure(.pathOutsideWorkspace) { _ = try workspace.containedFolder("/etc") }
        try FileManager.default.createSymbolicLink(atPath: root + "/out", withDestinationPath: "/etc")
        expectFailure(.pathOutsideWorkspace) { _ = try workspace.containedFolder("out") }
    }
}

/// The permission bits including setuid, setgid and sticky, which `mode(_:)` of TestSupport may drop.
func ghostMode(_ path: String) -> UInt16? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return UInt16(info.st_mode & 0o7777)
}
