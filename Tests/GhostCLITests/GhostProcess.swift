import ApplierAPI
import Foundation
import GhostTesting

/// Runs the real `ghost` binary built beside the tests.
struct GhostProcess {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Each stdout line parsed as a JSON receipt.
        var receipts: [JSONValue] {
            stdout.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        }
    }

    static var binary: String {
        if let explicit = ProcessInfo.processInfo.environment["GHOST_BIN"] { return explicit }
        let besideTests = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("ghost").path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ghost").path
        if FileManager.default.isExecutableFile(atPath: runner) { return runner }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/ghost").path
    }

    /// Runs the binary to its end on a thread of its own: waiting for a child must not hold a thread of the
    /// cooperative pool, which other tests (timers among them) need meanwhile.
    /// `environment` is added to this process's own. `program` runs another program the same way.
    static func run(
        _ arguments: [String],
        stdin: String? = nil,
        in directory: String? = nil,
        environment: [String: String] = [:],
        program: String? = nil
    ) async throws -> Output {
        try await onThread { try runBlocking(program ?? binary, arguments, stdin: stdin, in: directory, environment: environment) }
    }

    private static func runBlocking(
        _ program: String,
        _ arguments: [String],
        stdin: String?,
        in directory: String?,
        environment: [String: String]
    ) throws -> Output {
        let ended = try ChildProcess.run(program, arguments, in: directory, environment: environment, stdin: Array((stdin ?? "").utf8))
        return Output(
            status: ended.status,
            stdout: String(decoding: ended.stdout, as: UTF8.self),
            stderr: String(decoding: ended.stderr, as: UTF8.self)
        )
    }
}
