import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// The history index and retention against the real `ghost serve`: ids are remembered across restarts from
/// the index (not from the receipt folders), retention archives and the archive still answers, the dedup
/// window forgets, and `ghost index rebuild` recreates the index from the files.
@Suite struct HistoryServeTests {
    static func folderWith(config: String) throws -> String {
        let folder = try makeTempFolder("cli")
        try write("a\n", to: folder + "/src/App.tsx")
        try write(config, to: folder + "/ghost.yml")
        return folder
    }

    static let plain = "queues:\n  default:\n    dir: patches\n    workspace: .\n"

    @Test func aRestartedHostAnswersDuplicateAndConflictFromTheIndex() async throws {
        let folder = try Self.folderWith(config: Self.plain)
        var host = try await ServeProcess.start(folder: folder)
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "p1")))?["result"]?["status"] == "applied")
        #expect(await host.stop() == 0)
        #expect(FileManager.default.fileExists(atPath: folder + "/patches/.ghost/history.sqlite"))
        // A clean stop leaves no journal: the next start reads none.
        #expect(files(in: folder + "/patches/.ghost/journal").isEmpty)

        host = try await ServeProcess.start(folder: folder)
        let again = try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "p1"))
        #expect(again.status == 200)
        #expect(json(again)?["result"]?["status"] == "duplicate")
        #expect(json(again)?["result"]?["receipt"]?["status"] == "applied")
        #expect(json(again)?["result"]?["receipt"]?["diff"]?.stringValue?.contains("+aa") == true)
        let other = try host.request("POST", "/api/patches", body: regexPatch(id: "p1", replacement: "zz"))
        #expect(other.status == 409)
        #expect(json(try host.request("GET", "/api/patches/p1"))?["status"] == "applied")
        #expect(readText(folder + "/src/App.tsx") == "aa\n")
        #expect(await host.stop() == 0)
    }

    @Test func aMissingIndexIsRebuiltFromTheReceiptsAtStart() async throws {
        let folder = try Self.folderWith(config: Self.plain)
        var host = try await ServeProcess.start(folder: folder)
        for n in 1...3 {
            #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "r\(n)")))?["result"]?["status"] == "applied")
        }
        #expect(await host.stop() == 0)
        for suffix in ["", "-wal", "-shm"] { unlink(folder + "/patches/.ghost/history.sqlite" + suffix) }

        host = try await ServeProcess.start(folder: folder)
        for n in 1...3 {
            #expect(json(try host.request("POST", "/api/patches", body: regexPatch(id: "r\(n)")))?["result"]?["status"] == "duplicate")
        }
        #expect(readText(folder + "/src/App.tsx") == "aaaaaaaa\n")
        #expect(await host.stop() == 0)
    }

    @Test func indexRebuildRefusesARunningHostThenRebuilds() async throws {
        let folder = try Self.folderWith(config: Self.plain)
        let host = try await ServeProcess.start(folder: folder)
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "x1")))?["result"]?["status"] == "applied")
        let refused = try await GhostProcess.run(["index", "rebuild"], in: folder)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("in use by another process"))
        #expect(refused.stderr.contains("stop the host"))
        #expect(await host.stop() == 0)

        let rebuilt = try await GhostProcess.run(["index", "rebuild"], in: folder)
        #expect(rebuilt.status == 0)
        #expect(rebuilt.stdout.contains("queue default: indexed 1 finished patches"))
        let restarted = try await ServeProcess.start(folder: folder)
        #expect(json(try restarted.request("POST", "/api/patches", body: regexPatch(id: "x1")))?["result"]?["status"] == "duplicate")
        #expect(await restarted.stop() == 0)
    }

    /// Two hosts on one spool would apply patches twice: the second is refused at start.
    @Test func aSecondHostOnTheSameSpoolIsRefused() async throws {
        let folder = try Self.folderWith(config: Self.plain)
        let first = try await ServeProcess.start(folder: folder)
        let second = try await GhostProcess.run(["serve", "--port", "0"], in: folder)
        #expect(second.status != 0)
        #expect(second.stderr.contains("in use by another process"))
        #expect(try first.request("GET", "/health").status == 200)
        #expect(await first.stop() == 0)
    }

    @Test func retentionArchivesOldPatchesAndADuplicateStillGetsTheFirstReceipt() async throws {
        let folder = try Self.folderWith(config: Self.plain + "    retention: {completed: 1s}\n")
        let host = try await ServeProcess.start(folder: folder)
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "old")))?["result"]?["status"] == "applied")
        let archive = folder + "/patches/.archive"
        #expect(
            await eventually(10) {
                files(in: folder + "/patches/.completed").isEmpty && files(in: archive).contains { $0.hasSuffix(".tar.gz") && !$0.hasPrefix(".") }
            }
        )
        let day = try #require(files(in: archive).first { $0.hasSuffix(".tar.gz") && !$0.hasPrefix(".") })
        #expect(day.hasSuffix(".tar.gz"))
        let again = try host.request("POST", "/api/patches", body: regexPatch(id: "old"))
        #expect(json(again)?["result"]?["status"] == "duplicate")
        #expect(json(again)?["result"]?["receipt"]?["status"] == "applied")
        #expect(json(again)?["result"]?["receipt"]?["id"] == "old")
        #expect(json(again)?["result"]?["filepath"]?.stringValue?.hasSuffix(".archive/" + day) == true)
        #expect(await host.stop() == 0)
        #expect(readText(folder + "/src/App.tsx") == "aa\n")
    }

    /// Past the dedup window an id is forgotten: sent again, it is a new patch (attempt 2), which then answers
    /// for the id.
    @Test func pastTheDedupWindowAnIDIsANewPatch() async throws {
        // A window long enough for a restart on a loaded machine, short enough for a test.
        let folder = try Self.folderWith(config: Self.plain + "    retention: {dedup_window: 5s}\n")
        let host = try await ServeProcess.start(folder: folder)
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "w1")))?["result"]?["status"] == "applied")
        #expect(json(try host.request("POST", "/api/patches", body: regexPatch(id: "w1")))?["result"]?["status"] == "duplicate")
        await pause(5.5)
        let again = try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "w1"))
        #expect(json(again)?["result"]?["status"] == "applied")
        #expect(json(again)?["result"]?["receipt"]?["attempt"] == 2)
        #expect(readText(folder + "/src/App.tsx") == "aaaa\n")
        // The second run answers for the id now, in this run and after a restart.
        #expect(json(try host.request("POST", "/api/patches", body: regexPatch(id: "w1")))?["result"]?["receipt"]?["attempt"] == 2)
        #expect(await host.stop() == 0)
        let restarted = try await ServeProcess.start(folder: folder)
        let third = try restarted.request("POST", "/api/patches", body: regexPatch(id: "w1"))
        #expect(json(third)?["result"]?["status"] == "duplicate")
        #expect(json(third)?["result"]?["receipt"]?["attempt"] == 2)
        #expect(readText(folder + "/src/App.tsx") == "aaaa\n")
        #expect(await restarted.stop() == 0)
    }
}
