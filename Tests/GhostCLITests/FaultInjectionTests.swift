#if os(Linux)
import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// Kills and disk errors at chosen system calls, with strace: `ghost serve` runs under
/// `strace -f -P PATH -e inject=SYSCALL:signal=KILL:when=N` (or `:error=ENOSPC` / `:error=EIO`), one patch is
/// sent once, then the host is restarted plainly and the client retries until 2xx.
///
/// Each step of one patch is a (system call, path) pair: the intake journal's write and fdatasync, the
/// intent log's, the staged file's write and fsync, the rename into the workspace and the folder fsync,
/// the receipt's and the patch copy's writes, their links into `.completed/`, the checkpoint's `syncfs`,
/// the intent log's truncation, and the history index's row and fsync. Every occurrence of each (`when=1, 2, ...` until the call no longer happens) is hit,
/// for a regex patch, a write patch and a v2 block with a validate phase.
///
/// After each run: the target files hold exactly the old or the new bytes (never a mix), the patch has
/// exactly one receipt, applied with the new bytes (or, after an injected disk error, failed with
/// `io_error` and the old bytes), no temp file is left beside the files, and an error at intake was
/// never acknowledged.
@Suite(.serialized) struct FaultInjectionTests {
    enum Kind: String, CaseIterable, Sendable {
        case regex, write, block
    }

    struct Step: CustomStringConvertible {
        var syscalls: String
        var path: String
        var atIntake = false
        /// Started and stopped once plainly before the traced run, so the step's file exists and the traced
        /// start does not touch it (the history index is created at the first start).
        var warm = false
        /// How many occurrences are hit, one run each.
        var occurrences = 6
        var description: String { "\(syscalls) on \(path)" }
    }

    static let strace = ["/usr/bin/strace", "/bin/strace", "/usr/local/bin/strace"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static let journal = "patches/.ghost/journal/00000001.log"
    static let intent = "patches/.ghost/intent.log"
    static let history = "patches/.ghost/history.sqlite-wal"

    static func steps(_ kind: Kind) -> [Step] {
        var steps = [
            Step(syscalls: "write", path: journal, atIntake: true),
            Step(syscalls: "fdatasync", path: journal, atIntake: true),
            Step(syscalls: "write", path: intent),
            Step(syscalls: "fdatasync", path: intent),
            Step(syscalls: "renameat,renameat2,rename", path: "src"),
            Step(syscalls: "write", path: "patches/.ghost/tmp/1.patch"),
            Step(syscalls: "write", path: "patches/.ghost/tmp/1.receipt"),
            Step(syscalls: "link,linkat", path: "patches/.ghost/tmp/1.patch"),
            Step(syscalls: "link,linkat", path: "patches/.ghost/tmp/1.receipt"),
            Step(syscalls: "syncfs", path: "patches"),
            Step(syscalls: "truncate", path: intent),
            // The patch's row in the history index (after its receipt), and the index made durable before the
            // journal file goes (at the clean stop).
            Step(syscalls: "pwrite64", path: history, warm: true, occurrences: 10),
            Step(syscalls: "fdatasync", path: history, warm: true),
        ]
        for staged in stagedFiles(kind) {
            steps.append(Step(syscalls: "write", path: staged))
            steps.append(Step(syscalls: "fsync", path: staged))
        }
        // A commit's folder sync waits for the checkpoint's syncfs; a block syncs its folder before its step.
        if kind == .block {
            steps.append(Step(syscalls: "link,linkat", path: "src"))
            steps.append(Step(syscalls: "fsync", path: "src"))
        }
        return steps
    }

    static func stagedFiles(_ kind: Kind) -> [String] {
        switch kind {
        case .regex: ["src/.App.tsx.ghost-1.new"]
        case .write: ["src/.new.txt.ghost-1.new"]
        case .block: ["src/.App.tsx.ghost-1.new", "src/.b.txt.ghost-1.new"]
        }
    }

    static let old = String(repeating: "<Text>Old</Text>\n", count: 200)
    static let new = String(repeating: "<Text>New</Text>\n", count: 200)

    static func patch(_ kind: Kind) -> String {
        switch kind {
        case .regex:
            return #"{"id":"p1","role":"ui_patch","target_file":"src/App.tsx","patch":{"pattern":"Old","replacement":"New"}}"#
        case .write:
            return #"{"id":"p1","role":"write","target_file":"src/new.txt","patch":{"contents":"fresh\n"}}"#
        case .block:
            let contents = new.replacingOccurrences(of: "\n", with: "\\n")
            return #"""
                {"blockId":"p1","mutations":[{"path":"src/App.tsx","contents":"\#(contents)"},{"path":"src/b.txt","contents":"b\n"}],"validate":{"shell":[{"run":"test -f src/b.txt","idempotent":true}]}}
                """#
        }
    }

    /// The files a kind touches, before and after.
    static func expected(_ kind: Kind) -> (before: [String: String?], after: [String: String?]) {
        switch kind {
        case .regex: (["src/App.tsx": old], ["src/App.tsx": new])
        case .write: (["src/new.txt": nil], ["src/new.txt": "fresh\n"])
        case .block: (["src/App.tsx": old, "src/b.txt": nil], ["src/App.tsx": new, "src/b.txt": "b\n"])
        }
    }

    enum Fault: String, CaseIterable, Sendable {
        case kill, diskError
    }

    @Test(arguments: Kind.allCases, Fault.allCases)
    func everyStepOfOnePatch(kind: Kind, fault: Fault) async throws {
        guard let strace = Self.strace else {
            Issue.record("strace is needed for fault injection: apt-get install strace (.ci/run installs it)")
            return
        }
        var runs = 0
        for step in Self.steps(kind) {
            let error: String
            switch fault {
            case .kill:
                error = "signal=KILL"
            case .diskError:
                // Disk errors where a disk reports them: ENOSPC on write, EIO on a flush.
                if step.syscalls == "write" {
                    error = "error=ENOSPC"
                } else if step.syscalls.contains("sync") {  // fsync, fdatasync, syncfs
                    error = "error=EIO"
                } else {
                    continue
                }
            }
            for occurrence in 1...step.occurrences {
                let fired = try await run(kind, step: step, injection: "\(error):when=\(occurrence)", strace: strace)
                runs += 1
                #expect(fired || occurrence > 1, "\(kind): \(step) never happens: the list of steps is out of date")
                if !fired { break }
                #expect(occurrence < step.occurrences, "\(step) still fires at occurrence \(occurrence)")
            }
        }
        print("fault injection: \(kind.rawValue), \(fault.rawValue): \(runs) runs")
    }

    /// One run; returns whether the injection happened.
    func run(_ kind: Kind, step: Step, injection: String, strace: String) async throws -> Bool {
        let folder = URL(fileURLWithPath: try makeTempFolder("cli")).resolvingSymlinksInPath().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("queues:\n  default:\n    dir: patches\n    workspace: .\n    shell: true\n", to: folder + "/ghost.yml")
        let (before, after) = Self.expected(kind)
        for case (let path, let text?) in before { try write(text, to: folder + "/" + path) }
        try FileManager.default.createDirectory(atPath: folder + "/src", withIntermediateDirectories: true)
        let context = "\(kind) \(step) \(injection)"
        let trace = folder + "/strace.log"
        let port = try freeLoopbackPort()
        if step.warm { await (try await ServeProcess.start(folder: folder, port: port)).stop() }

        let traced = try await ServeProcess.start(
            folder: folder,
            port: port,
            wrapper: [
                strace, "-f", "-qq", "-o", trace, "-P", folder + "/" + step.path, "-e", "trace=\(step.syscalls)", "-e",
                "inject=\(step.syscalls):\(injection)",
            ]
        )
        var client = HTTPClient(host: "127.0.0.1", port: port)
        client.timeoutSeconds = 5
        let first = try? client.request(method: "POST", path: "/api/patches", body: Array(Self.patch(kind).utf8))
        let acknowledged = first.map { (200..<300).contains($0.status) } ?? false
        _ = await eventually(5) { !traced.process.isRunning || !receiptFiles(folder).isEmpty }
        // The receipt is filed before the checkpoint that syncs it and empties the intent log: give that
        // its moment, so the steps after filing are reached before the log of injections is read.
        let intentLog = folder + "/" + Self.intent
        _ = await eventually(2) { !traced.process.isRunning || (readText(intentLog) ?? "").isEmpty }
        let log = readText(trace) ?? ""
        let fired = log.contains("INJECTED") || log.contains("killed by SIGKILL")
        if traced.process.isRunning { await traced.stopWrapped() }

        // Right after the fault: every file is its old or its new self.
        for (path, old) in before {
            let now = readText(folder + "/" + path)
            #expect(now == old || now == after[path] ?? nil, "\(context): \(path) is neither old nor new")
        }
        if step.atIntake && fired && !injection.hasPrefix("signal") {
            #expect(!acknowledged, "\(context): a delivery whose journal write failed was acknowledged")
        }

        // A plain restart, and the client retrying until 2xx.
        let host = try await ServeProcess.start(folder: folder, port: port)
        var acceptedAgain = false
        var attempt = 1
        for _ in 0..<200 where !acceptedAgain {
            if let response = try? host.request("POST", "/api/patches", body: Self.patch(kind)), (200..<300).contains(response.status) {
                acceptedAgain = true
                // A first attempt that failed and changed nothing runs again as attempt 2.
                attempt = json(response)?["result"]?["attempt"]?.doubleValue.map { Int($0) } ?? 1
            } else {
                await pause(0.02)
            }
        }
        #expect(acceptedAgain, "\(context): the retry was never accepted")
        _ = await eventually(10) {
            receiptFiles(folder).contains { $0["status"] != "duplicate" && ($0["attempt"]?.doubleValue ?? 1) == Double(attempt) }
        }
        await host.stop()

        // One receipt per attempt: either one, or a failed first attempt that changed nothing and its rerun.
        let receipts = receiptFiles(folder).filter { $0["status"] != "duplicate" }
            .sorted { ($0["attempt"]?.doubleValue ?? 1) < ($1["attempt"]?.doubleValue ?? 1) }
        #expect(receipts.count == attempt, "\(context): \(receipts.count) receipts for \(attempt) attempts")
        if receipts.count == 2 {
            #expect(receipts[0]["reason"] == "io_error" && receipts[1]["attempt"] == 2, "\(context): \(receipts)")
        }
        let status = receipts.last?["status"]?.stringValue
        let final = status == "applied" ? after : before
        if status != "applied" {
            #expect(injection.hasPrefix("error") && receipts.last?["reason"] == "io_error", "\(context): \(receipts)")
        }
        for (path, content) in final { #expect(readText(folder + "/" + path) == content, "\(context): \(path) after recovery") }
        let leftovers = files(in: folder + "/src").filter { $0.contains(".ghost-") }
        #expect(leftovers.isEmpty, "\(context): left \(leftovers)")
        return fired
    }
}

/// Every receipt of the default queue.
func receiptFiles(_ folder: String) -> [JSONValue] {
    [".completed", ".failed"].flatMap { outcome in
        files(in: "\(folder)/patches/\(outcome)").filter { $0.hasSuffix(".receipt.json") }.compactMap { name in
            FileManager.default.contents(atPath: "\(folder)/patches/\(outcome)/\(name)").flatMap { try? JSONParser.parse(Array($0)) }
        }
    }
}
#endif
