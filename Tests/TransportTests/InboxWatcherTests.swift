import Foundation
import GhostTesting
import Testing

@testable import Transport

@Suite struct InboxWatcherTests {
    @Test func onlyVisibleJSONFilesAreCandidates() {
        #expect(InboxTransport.isCandidate("fix.json"))
        #expect(!InboxTransport.isCandidate(".fix.json"))
        #expect(!InboxTransport.isCandidate("fix.json.tmp"))
        #expect(!InboxTransport.isCandidate("fix.json.part"))
        #expect(!InboxTransport.isCandidate("fix.txt"))
    }

    func firstEvents(_ watcher: any DirectoryWatcher, folder: String, drop: () throws -> Void) async throws -> [DirectoryEvent] {
        let events = try watcher.events()
        try drop()
        var seen: [DirectoryEvent] = []
        for try await event in events {
            seen.append(event)
            if seen.contains(.file("moved.json")) && seen.contains(.file("written.json")) { break }
        }
        return seen
    }

    func dropBoth(into folder: String) throws {
        try Data("{}".utf8).write(to: URL(fileURLWithPath: folder + "/.moved.json.part"))
        try FileManager.default.moveItem(atPath: folder + "/.moved.json.part", toPath: folder + "/moved.json")
        try Data("{}".utf8).write(to: URL(fileURLWithPath: folder + "/written.json"))
    }

    #if os(Linux)
    @Test func inotifyReportsRenamesAndClosedWrites() async throws {
        let folder = try makeTempFolder("watch")
        let seen = try await firstEvents(InotifyWatcher(path: folder), folder: folder) { try dropBoth(into: folder) }
        #expect(seen.contains(.file("moved.json")))
        #expect(seen.contains(.file("written.json")))
    }

    @Test func inotifyFailsWhenTheFolderGoesAway() async throws {
        let folder = try makeTempFolder("watch")
        let events = try InotifyWatcher(path: folder).events()
        try FileManager.default.removeItem(atPath: folder)
        await #expect(throws: InboxError.self) {
            for try await _ in events {}
        }
    }
    #endif

    @Test func pollingReportsNewFiles() async throws {
        let folder = try makeTempFolder("watch")
        let seen = try await firstEvents(PollingWatcher(path: folder, interval: .milliseconds(20)), folder: folder) { try dropBoth(into: folder) }
        #expect(seen.contains(.file("moved.json")))
        #expect(seen.contains(.file("written.json")))
    }
}
