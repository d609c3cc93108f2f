import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

@Suite struct ServeInboxTests {
    @Test func takesDroppedFilesLeavesTempNamesAndFilesGarbageWithAReceipt() async throws {
        let host = try await ServeHTTPTests.startDefault()
        let inbox = host.folder + "/patches"
        try write(regexPatch(id: "dropped"), to: inbox + "/.hidden.json")
        try write(regexPatch(id: "dropped"), to: inbox + "/work.json.tmp")
        try write(regexPatch(id: "dropped"), to: inbox + "/work.json.part")
        try write(regexPatch(id: "dropped"), to: inbox + "/notes.txt")
        try write("this is { not json", to: inbox + "/garbage.json")
        try write(regexPatch(id: "dropped"), to: inbox + "/fix.json")

        #expect(await eventually { files(in: inbox + "/.completed") == ["fix.json", "fix.receipt.json"] })
        #expect(await eventually { files(in: inbox + "/.failed") == ["garbage.json", "garbage.receipt.json"] })
        #expect(readText(host.folder + "/src/App.tsx") == "aa\n")
        let receipt = try JSONParser.parse(readText(inbox + "/.failed/garbage.receipt.json") ?? "")
        #expect(receipt["reason"] == "invalid_json")
        #expect(receipt["source"] == "inbox")
        // The failed patch keeps its bytes, for the user to fix and drop again.
        #expect(readText(inbox + "/.failed/garbage.json") == "this is { not json")
        // Names the inbox never takes are still there.
        await pause(0.3)
        #expect(Set(files(in: inbox)).isSuperset(of: [".hidden.json", "work.json.tmp", "work.json.part", "notes.txt"]))

        // The same patch dropped again is a duplicate: filed with a receipt, not applied again.
        try write(regexPatch(id: "dropped"), to: inbox + "/fix.json")
        #expect(await eventually { files(in: inbox + "/.completed").contains("fix-2.receipt.json") })
        let duplicate = try JSONParser.parse(readText(inbox + "/.completed/fix-2.receipt.json") ?? "")
        #expect(duplicate["status"] == "duplicate")
        #expect(readText(host.folder + "/src/App.tsx") == "aa\n")
        #expect(await host.stop() == 0)
    }

    @Test func aSlowWriterInPlaceIsNotTakenHalfWritten() async throws {
        let host = try await ServeHTTPTests.startDefault()
        let inbox = host.folder + "/patches"
        let body = Array(regexPatch(id: "slow").utf8)
        // Created and written through one descriptor, as `cat > slow.json` or an editor would.
        let handle = FileHandle(fileDescriptor: open(inbox + "/slow.json", O_WRONLY | O_CREAT | O_EXCL, 0o644), closeOnDealloc: true)
        try handle.write(contentsOf: body[..<20])
        await pause(1.0)
        // Half a document, writer still open: neither failed nor taken.
        #expect(files(in: inbox + "/.failed").isEmpty)
        #expect(files(in: inbox).contains("slow.json"))
        try handle.write(contentsOf: body[20...])
        try handle.close()
        #expect(await eventually { files(in: inbox + "/.completed") == ["slow.json", "slow.receipt.json"] })
        #expect(readText(host.folder + "/src/App.tsx") == "aa\n")
        #expect(files(in: inbox + "/.failed").isEmpty)
        #expect(await host.stop() == 0)
    }

    @Test func submitDropsAtomicallyIntoTheInboxAndPostsToTheHost() async throws {
        let host = try await ServeHTTPTests.startDefault()
        let patchFile = host.folder + "/one.json"
        try write(regexPatch(id: "via-inbox"), to: patchFile)
        let dropped = try await GhostProcess.run(["submit", "--inbox", host.folder + "/patches", patchFile])
        #expect(dropped.status == 0)
        #expect(await eventually { files(in: host.folder + "/patches/.completed").contains("one.receipt.json") })

        try write(regexPatch(id: "via-http", pattern: "aa", replacement: "b"), to: patchFile)
        let posted = try await GhostProcess.run(["submit", "--url", "http://127.0.0.1:\(host.port)", "--wait", "10", patchFile])
        #expect(posted.status == 0, "\(posted.stderr)")
        #expect(try JSONParser.parse(posted.stdout)["result"]?["status"] == "applied")
        #expect(readText(host.folder + "/src/App.tsx") == "b\n")

        let refused = try await GhostProcess.run(["submit", "--url", "http://127.0.0.1:\(host.port)", "-"], stdin: "{not json")
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("invalid_json"))

        let status = try await GhostProcess.run(["status", "--url", "http://127.0.0.1:\(host.port)", "--json"])
        #expect(status.status == 0)
        let report = try JSONParser.parse(status.stdout)
        #expect(report["status"] == "healthy")
        #expect(report["queues"]?["default"]?["counts"]?["applied"] == 2)
        #expect(await host.stop() == 0)

        // With no host running, status reads the spool's history index: the same counts, by status.
        let offline = try await GhostProcess.run(["status", "--url", "http://127.0.0.1:\(host.port)", "--json"], in: host.folder)
        let spool = try JSONParser.parse(offline.stdout)
        #expect(spool["status"] == "not running")
        #expect(spool["queues"]?["default"]?["counts"]?["applied"] == 2)
        #expect(spool["queues"]?["default"]?["recent"]?.arrayValue?.last?["status"] == "applied")
    }

    @Test func stdinLinesArePatchesAndEachGetsAReceiptLine() async throws {
        let host = try await ServeHTTPTests.startDefault(arguments: ["--stdin"])
        host.writeStdin(regexPatch(id: "s1") + "\n" + "garbage\n" + regexPatch(id: "s2", pattern: "zzz", replacement: "q") + "\n")
        host.closeStdin()
        #expect(await eventually { host.stdout.count == 3 })
        let receipts = host.stdout.compactMap { try? JSONParser.parse($0) }
        let byID = Dictionary(receipts.map { ($0["id"]?.stringValue ?? "-", $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byID["s1"]?["status"] == "applied")
        #expect(byID["s1"]?["source"] == "stdin")
        #expect(byID["s2"]?["reason"] == "no_match")
        #expect(byID["-"]?["reason"] == "invalid_json")
        // The end of stdin stops that transport only: HTTP still works.
        #expect(try host.request("GET", "/health").status == 200)
        #expect(await host.stop() == 0)
    }

    @Test func aFailedInboxIsRestartedAndShownUntilThen() async throws {
        let host = try await ServeHTTPTests.startDefault()
        let inbox = host.folder + "/patches"
        try FileManager.default.moveItem(atPath: inbox, toPath: host.folder + "/moved-away")
        #expect(
            try await eventually {
                let health = json(try host.request("GET", "/health"))
                return (health?["components"]?["inbox:default"]?["restarts"]?.intValue ?? 0) >= 1
            }
        )
        // /health is open without credentials: it shows states, not the error (which names paths);
        // /api/status (behind the host's credentials, when set) shows it.
        let health = json(try host.request("GET", "/health"))
        #expect(health?["components"]?["inbox:default"]?["last_error"] == nil)
        let status = json(try host.request("GET", "/api/status"))
        #expect(status?["components"]?["inbox:default"]?["last_error"]?.stringValue?.contains("patches") == true)
        // Restarted, the inbox works again in a recreated folder.
        #expect(await eventually { FileManager.default.fileExists(atPath: inbox) })
        try write(regexPatch(id: "after-restart"), to: inbox + "/again.json")
        #expect(await eventually { readText(host.folder + "/src/App.tsx") == "aa\n" })
        #expect(try await eventually { json(try host.request("GET", "/health"))?["status"] == "healthy" })
        #expect(await host.stop() == 0)
    }
}
