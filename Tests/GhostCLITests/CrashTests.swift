import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// The crash test: a real `ghost serve` fed over HTTP (each client retrying until 2xx) and through its inbox,
/// killed with SIGKILL again and again while it works, restarted each time on the same port.
///
/// Afterwards every acknowledged patch must have exactly one receipt, none may have been applied twice,
/// and every file must hold exactly the bytes its patches asked for: nothing lost, nothing doubled, nothing
/// half written. The short run here is part of the suite; the long run is
/// `GHOST_CRASH_PATCHES=600 GHOST_CRASH_KILLS=25 swift test --filter CrashTests`.
@Suite(.serialized) struct CrashTests {
    static let patchCount = Int(ProcessInfo.processInfo.environment["GHOST_CRASH_PATCHES"] ?? "") ?? 90
    static let killCount = Int(ProcessInfo.processInfo.environment["GHOST_CRASH_KILLS"] ?? "") ?? 5

    @Test func killedAtRandomMomentsItLosesNothingAndAppliesEachPatchOnce() async throws {
        let folder = try makeTempFolder("cli")
        try write(
            """
            queues:
              default:
                dir: patches
                workspace: .
                shell: true
            """,
            to: folder + "/ghost.yml"
        )
        for log in 0..<5 { try write("start\n", to: folder + "/ws/log/\(log).txt") }
        let port = try freeLoopbackPort()
        let plan = (0..<Self.patchCount).map { CrashPlan.Patch(index: $0) }
        let progress = CrashProgress()

        var host = try await ServeProcess.start(folder: folder, port: port)
        let senders = [
            runOnThread { sendOverHTTP(plan.filter { !$0.viaInbox }, port: port, progress: progress) },
            runOnThread { dropInInbox(plan.filter(\.viaInbox), folder: folder + "/patches", progress: progress) },
        ]
        // Kills spread over the traffic: one after each share of acknowledgements, plus a little jitter.
        for kill in 1...Self.killCount {
            let due = kill * Self.patchCount / (Self.killCount + 1)
            while progress.acknowledged < due { await pause(0.002) }
            await pause(Double.random(in: 0...0.02))
            await host.crash()
            host = try await ServeProcess.start(folder: folder, port: port)
        }
        for sender in senders { await sender.value }
        #expect(progress.acknowledged == Self.patchCount)

        let receipts = try await waitForReceipts(folder + "/patches", ids: Set(plan.map(\.id)))
        await host.stop()
        try CrashPlan.check(plan, receipts: receipts, folder: folder)
        let all = receipts.values.joined()
        print(
            "crash test: \(Self.patchCount) patches, \(Self.killCount) kills;",
            "\(all.filter { $0["extra"]?["recovered"] == true }.count) finished by recovery,",
            "\(all.filter { $0["reason"] == "interrupted" }.count) interrupted,",
            "\(all.filter { $0["status"] == "duplicate" }.count) inbox duplicates"
        )
        #expect(files(in: folder + "/patches").filter { $0.hasSuffix(".json") }.isEmpty)
    }
}

/// What the crash test sends, and what each patch must leave behind.
enum CrashPlan {
    struct Patch: Sendable {
        var index: Int
        var id: String { "crash-\(index)" }
        /// Every third patch is dropped into the inbox; the rest go over HTTP.
        var viaInbox: Bool { index % 3 == 2 }
        var kind: Int { index % 4 }

        /// Four kinds: a regex that appends a line to one of five shared logs (applied twice, the line would
        /// appear twice), a whole-file write, a v2 block of two files with a validate step marked idempotent,
        /// and the same with a step that is not (a kill during it fails the patch with `interrupted`).
        var json: String {
            switch kind {
            case 0:
                return
                    #"{"id":"\#(id)","role":"ui_patch","target_file":"ws/log/\#(index % 5).txt","patch":{"pattern":"\\z","replacement":"line \#(index)\n"}}"#
            case 1:
                return #"{"id":"\#(id)","role":"write","target_file":"ws/w/\#(index).txt","patch":{"contents":"\#(Self.content(index))"}}"#
            default:
                let idempotent = kind == 2 ? "true" : "false"
                return #"""
                    {"blockId":"\#(id)","mutations":[{"path":"ws/b/\#(index)-a.txt","contents":"\#(Self.content(index))"},{"path":"ws/b/\#(index)-b.txt","contents":"b \#(index)\n"}],"validate":{"shell":[{"run":"test -f ws/b/\#(index)-a.txt","idempotent":\#(idempotent)}]}}
                    """#
            }
        }

        /// A few kilobytes, so a torn write would show.
        static func content(_ index: Int) -> String {
            String(repeating: "patch \(index) ", count: 300) + "\\n"
        }
    }

    /// Checks every receipt and every file against the plan.
    static func check(_ plan: [Patch], receipts: [String: [JSONValue]], folder: String) throws {
        var logLines: [Int: [String]] = [:]
        for log in 0..<5 {
            logLines[log] = (readText(folder + "/ws/log/\(log).txt") ?? "").split(separator: "\n").map(String.init)
        }
        for patch in plan {
            let own = (receipts[patch.id] ?? []).filter { $0["status"] != "duplicate" }
            #expect(own.count == 1, "\(patch.id) has \(own.count) receipts")
            guard let receipt = own.first else { continue }
            let status = receipt["status"]?.stringValue
            let content = String(repeating: "patch \(patch.index) ", count: 300) + "\n"
            switch patch.kind {
            case 0:
                #expect(status == "applied", "\(patch.id): \(receipt)")
                let count = logLines[patch.index % 5]?.filter { $0 == "line \(patch.index)" }.count
                #expect(count == 1, "\(patch.id) appended its line \(count ?? 0) times")
            case 1:
                #expect(status == "applied", "\(patch.id): \(receipt)")
                #expect(readText(folder + "/ws/w/\(patch.index).txt") == content, "\(patch.id) left other bytes")
            default:
                let a = readText(folder + "/ws/b/\(patch.index)-a.txt")
                let b = readText(folder + "/ws/b/\(patch.index)-b.txt")
                if status == "applied" {
                    #expect(a == content && b == "b \(patch.index)\n", "\(patch.id) is applied but its files differ")
                } else {
                    // Only a step that is not idempotent may be interrupted, and then nothing of it remains.
                    #expect(patch.kind == 3 && receipt["reason"] == "interrupted", "\(patch.id): \(receipt)")
                    #expect(a == nil && b == nil, "\(patch.id) failed but left files")
                }
            }
        }
        let sideFiles = (FileManager.default.enumerator(atPath: folder + "/ws")?.allObjects as? [String] ?? []).filter {
            $0.contains(".ghost-")
        }
        #expect(sideFiles.isEmpty, "temp files left in the workspace: \(sideFiles)")
        let unknown = Set(receipts.keys).subtracting(plan.map(\.id))
        #expect(unknown.isEmpty, "receipts for patches never sent: \(unknown)")
    }
}

/// Counts acknowledgements across the sender threads.
final class CrashProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    var acknowledged: Int { lock.withLock { count } }
    func acknowledge() { lock.withLock { count += 1 } }
}

/// Posts each patch until the host answers 2xx, through refused connections and resets while it is down.
func sendOverHTTP(_ patches: [CrashPlan.Patch], port: Int, progress: CrashProgress) {
    var client = HTTPClient(host: "127.0.0.1", port: port)
    client.timeoutSeconds = 5
    for patch in patches {
        while true {
            if let response = try? client.request(method: "POST", path: "/api/patches", body: Array(patch.json.utf8)),
                (200..<300).contains(response.status)
            {
                break
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        progress.acknowledge()
    }
}

/// Drops each patch into the inbox the safe way (a dot-file renamed in); the drop is the acknowledgement.
func dropInInbox(_ patches: [CrashPlan.Patch], folder: String, progress: CrashProgress) {
    for patch in patches {
        let temp = folder + "/.\(patch.id).part"
        FileManager.default.createFile(atPath: temp, contents: Data(patch.json.utf8))
        rename(temp, folder + "/\(patch.id).json")
        progress.acknowledge()
        Thread.sleep(forTimeInterval: 0.003)
    }
}

/// Every receipt in `.completed/` and `.failed/` by id, once each of `ids` has one that is not a duplicate.
func waitForReceipts(_ spool: String, ids: Set<String>, seconds: Double = 60) async throws -> [String: [JSONValue]] {
    var byID: [String: [JSONValue]] = [:]
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        byID = [:]
        for outcome in [".completed", ".failed"] {
            for name in files(in: spool + "/" + outcome) where name.hasSuffix(".receipt.json") {
                guard let receipt = try? JSONParser.parse(Array(FileManager.default.contents(atPath: "\(spool)/\(outcome)/\(name)") ?? Data())),
                    let id = receipt["id"]?.stringValue
                else { continue }
                byID[id, default: []].append(receipt)
            }
        }
        let done = ids.filter { byID[$0]?.contains { $0["status"] != "duplicate" } == true }
        if done.count == ids.count { return byID }
        await pause(0.05)
    }
    return byID
}

/// Runs blocking work on a thread of its own, off the cooperative pool.
func runOnThread(_ work: @escaping @Sendable () -> Void) -> Task<Void, Never> {
    Task { _ = try? await onThread(work) }
}
