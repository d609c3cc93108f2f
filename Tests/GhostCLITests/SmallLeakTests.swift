import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// What the host lets out or takes in by the side: metric series, per-queue credentials, inbox files it cannot read.
@Suite struct SmallLeakTests {
    @Test func inventedRolesAndReasonsMakeNoNewMetricSeries() async throws {
        let host = try await ServeHTTPTests.startDefault()
        for index in 0..<20 {
            try write(#"{"id":"x\#(index)","role":"invented_role_\#(index)","target_file":"a.txt"}"#, to: host.folder + "/patches/x\(index).json")
        }
        #expect(await eventually { files(in: host.folder + "/patches/.failed").count == 40 })
        let metrics = try host.request("GET", "/metrics").text
        #expect(!metrics.contains("invented_role"))
        #expect(metrics.contains(#"role="other""#))
        #expect(await host.stop() == 0)
    }

    @Test func aQueueTokenOpensThatQueueOnlyAndSpanningRoutesNeedTheHostToken() async throws {
        let folder = try makeTempFolder("cli")
        try write("a\n", to: folder + "/a/src/App.tsx")
        try write("a\n", to: folder + "/b/src/App.tsx")
        try write(
            """
            http: {token_env: HOST_TOKEN}
            default_queue: A
            queues:
              A: {dir: qa, workspace: a, token_env: A_TOKEN}
              B: {dir: qb, workspace: b}
            """,
            to: folder + "/ghost.yml"
        )
        let host = try await ServeProcess.start(folder: folder, environment: ["HOST_TOKEN": "host-secret", "A_TOKEN": "queue-a-secret"])
        let queueToken = [("Authorization", "Bearer queue-a-secret")]
        let hostToken = [("Authorization", "Bearer host-secret")]
        #expect(try host.request("POST", "/api/queues/A/patches", body: regexPatch(id: "a1"), headers: queueToken).status == 202)
        #expect(await eventually { readText(folder + "/a/src/App.tsx") == "aa\n" })
        // The queue's token opens neither another queue nor the routes that span queues.
        #expect(try host.request("POST", "/api/queues/B/patches", body: regexPatch(id: "b1"), headers: queueToken).status == 401)
        #expect(try host.request("GET", "/api/status", headers: queueToken).status == 401)
        #expect(try host.request("GET", "/api/patches/a1", headers: queueToken).status == 401)
        #expect(try host.request("POST", "/api/queues/A/patches", body: regexPatch(id: "a2"), headers: []).status == 401)
        // The host's token opens everything.
        #expect(try host.request("POST", "/api/queues/B/patches", body: regexPatch(id: "b2"), headers: hostToken).status == 202)
        #expect(try host.request("GET", "/api/patches/a1", headers: hostToken).status == 200)
        try await Task.sleep(for: .milliseconds(300))
        #expect(readText(folder + "/b/src/App.tsx") == "aa\n")
        #expect(await host.stop() == 0)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to run the host as another user"))
    func anInboxFileTheHostCannotReadIsFiledWithAReason() async throws {
        let folder = try makeTempFolder("cli")
        try write("a\n", to: folder + "/src/App.tsx")
        try FileManager.default.createDirectory(atPath: folder + "/patches", withIntermediateDirectories: true)
        for path in [folder, folder + "/src", folder + "/src/App.tsx", folder + "/patches"] { chown(path, 65534, 65534) }
        chmod(folder, 0o755)
        let host = try await ServeProcess.start(
            folder: folder,
            environment: ["HOME": folder + "/home"],
            wrapper: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        )
        // Root's file, readable by root only, dropped into the inbox of a host running as nobody.
        try write(regexPatch(id: "secret"), to: folder + "/patches/.secret.part")
        chmod(folder + "/patches/.secret.part", 0o600)
        rename(folder + "/patches/.secret.part", folder + "/patches/secret.json")
        #expect(await eventually { files(in: folder + "/patches/.failed").count == 2 })
        let receiptName = try #require(files(in: folder + "/patches/.failed").first { $0.hasSuffix(".receipt.json") })
        let receipt = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/patches/.failed/" + receiptName))))
        #expect(receipt["reason"] == "io_error")
        #expect(receipt["message"]?.stringValue?.contains("Permission denied") == true)
        #expect(!FileManager.default.fileExists(atPath: folder + "/patches/secret.json"))
        #expect(readText(folder + "/src/App.tsx") == "a\n")
        // One log line, not one every 250 ms.
        #expect(host.stderr.filter { $0.contains("left for later") }.count <= 1)
        #expect(await host.stop() == 0)
    }
}
