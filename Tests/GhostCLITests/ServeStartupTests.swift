import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// What a supervisor sees of `ghost serve` at start and under signals: a version, a clear failure when it
/// cannot run, and no death on SIGHUP. One at a time: two of them hold a port while a host they start
/// runs, and a host one of them starts must not be running while the other lets its port go.
@Suite(.serialized) struct ServeStartupTests {
    @Test func versionAndTheVersionCommandPrintTheVersion() async throws {
        for arguments in [["--version"], ["version"]] {
            let result = try await GhostProcess.run(arguments)
            #expect(result.status == 0, "\(arguments)")
            #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == GhostVersion.current, "\(arguments)")
        }
    }

    @Test func aPortInUseStopsServeWithTheAddress() async throws {
        let folder = try makeTempFolder("cli")
        let taken = try listenLoopback()
        defer { close(taken.fd) }
        let host = try ServeProcess.launch(folder: folder, port: taken.port)
        #expect(await eventually(30) { !host.process.isRunning }, "serve must stop, not retry the bind forever")
        #expect(await host.waitForExit() != 0)
        let message = host.stderr.joined(separator: "\n")
        #expect(message.contains("cannot listen on 127.0.0.1:\(taken.port)"), "\(message)")
        #expect(message.contains("Address already in use"), "\(message)")
    }

    /// A restart right after a stop can find the old process still letting go of the port: a port freed
    /// within a few seconds is taken.
    @Test func aPortFreedSoonAfterStartIsTaken() async throws {
        let folder = try makeTempFolder("cli")
        let taken = try listenLoopback()
        let host = try ServeProcess.launch(folder: folder, port: taken.port)
        try await Task.sleep(for: .seconds(1))
        close(taken.fd)
        #expect(await host.awaitListening(seconds: 20))
        #expect(try host.request("GET", "/health").status == 200)
        #expect(await host.stop() == 0)
    }

    @Test func aMissingWorkspaceStopsServeWithTheKeyAndPath() async throws {
        let folder = try makeTempFolder("cli")
        try write("queues:\n  main: {dir: inbox, workspace: no-such-folder}\n", to: folder + "/ghost.yml")
        let result = try await GhostProcess.run(["serve", "--port", "0"], in: folder)
        #expect(result.status == 2)
        #expect(result.stderr.contains("queues.main.workspace"), "\(result.stderr)")
        #expect(result.stderr.contains("no-such-folder does not exist"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/no-such-folder"))
    }

    @Test func createWorkspaceMakesTheMissingWorkspace() async throws {
        let folder = try makeTempFolder("cli")
        try write("queues:\n  main: {dir: inbox, workspace: new/ws, create_workspace: true}\n", to: folder + "/ghost.yml")
        let host = try await ServeProcess.start(folder: folder)
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: folder + "/new/ws", isDirectory: &isFolder) && isFolder.boolValue)
        #expect(await host.stop() == 0)
    }

    @Test func sighupIsLoggedAndTheHostKeepsServing() async throws {
        let folder = try makeTempFolder("cli")
        let host = try await ServeProcess.start(folder: folder)
        kill(host.process.processIdentifier, SIGHUP)
        #expect(await eventually { host.stderr.contains { $0.contains("SIGHUP: ") } })
        #expect(host.process.isRunning)
        #expect(try host.request("GET", "/health").status == 200)
        #expect(await host.stop() == 0)
    }
}
