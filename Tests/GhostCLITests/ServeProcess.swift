import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// A real `ghost serve` on a free loopback port, in a folder of its own.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let folder: String
    private(set) var port = 0
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let stdoutLines = LineCollector()
    private let stderrLines = LineCollector()

    /// Starts `ghost serve --port PORT extra...` in `folder` (under `wrapper`, such as strace, when given)
    /// and waits until it listens.
    static func start(
        folder: String,
        arguments: [String] = [],
        environment: [String: String] = [:],
        port: Int = 0,
        wrapper: [String] = []
    ) async throws -> ServeProcess {
        let host = try ServeProcess(folder: folder, arguments: ["--port", String(port)] + arguments, environment: environment, wrapper: wrapper)
        guard await host.awaitListening(), host.port != 0 else {
            host.process.terminate()
            throw SetupError(message: "ghost serve did not start: \(host.stderrLines.lines.joined(separator: "\n"))")
        }
        return host
    }

    /// Starts `ghost serve --port PORT extra...` in `folder` without waiting for it to listen: it may die
    /// first (a poison patch kills it), as a supervisor would see it.
    static func launch(folder: String, arguments: [String] = [], port: Int = 0) throws -> ServeProcess {
        try ServeProcess(folder: folder, arguments: ["--port", String(port)] + arguments, environment: [:], wrapper: [])
    }

    /// Waits until a launched host says where it listens; false if it died or did not within `seconds`.
    func awaitListening(seconds: Double = 20) async -> Bool {
        let listening = await eventually(seconds) {
            port =
                stderrLines.lines.lazy.compactMap { line -> Int? in
                    guard let range = line.range(of: "listening on http://127.0.0.1:") else { return nil }
                    return Int(line[range.upperBound...].prefix(while: \.isNumber))
                }.first ?? 0
            return port != 0 || !process.isRunning
        }
        return listening && port != 0
    }

    private init(folder: String, arguments: [String], environment: [String: String], wrapper: [String]) throws {
        self.folder = folder
        let command = wrapper + [GhostProcess.binary, "serve", "--log-level", "debug"] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        var env = ProcessInfo.processInfo.environment
        env["GHOST_CONFIG"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        stdoutLines.attach(output.fileHandleForReading)
        stderrLines.attach(errors.fileHandleForReading)
        try process.run()
    }

    var client: HTTPClient { HTTPClient(host: "127.0.0.1", port: port) }

    func request(_ method: String, _ path: String, body: String = "", headers: [(String, String)] = []) throws -> HTTPClient.Response {
        try client.request(method: method, path: path, headers: headers, body: Array(body.utf8))
    }

    func writeStdin(_ text: String) { input.fileHandleForWriting.write(Data(text.utf8)) }
    func closeStdin() { try? input.fileHandleForWriting.close() }
    var stdout: [String] { stdoutLines.lines }
    var stderr: [String] { stderrLines.lines }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    func stop() async -> Int32 {
        if process.isRunning { process.terminate() }
        return await waitForExit()
    }

    /// Stops a host started under a wrapper (strace): SIGTERM to the host itself, then waits for the wrapper.
    func stopWrapped() async {
        let children =
            (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/task/\(process.processIdentifier)/children", encoding: .utf8)) ?? ""
        for child in children.split(separator: " ").compactMap({ Int32($0) }) { kill(child, SIGTERM) }
        _ = await waitForExit()
    }

    /// Kills the host outright (SIGKILL: no shutdown, no flush) and waits for it to be gone.
    func crash() async {
        kill(process.processIdentifier, SIGKILL)
        _ = await waitForExit()
    }

    /// Waits for the process to end, polling so that no thread of the cooperative pool is held.
    func waitForExit() async -> Int32 {
        while process.isRunning { await pause(0.01) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Collects a pipe's lines as they arrive.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""
    private var collected: [String] = []

    var lines: [String] { lock.withLock { collected } }

    func attach(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            if data.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            self.lock.withLock {
                self.buffer += String(decoding: data, as: UTF8.self)
                while let newline = self.buffer.firstIndex(of: "\n") {
                    self.collected.append(String(self.buffer[..<newline]))
                    self.buffer = String(self.buffer[self.buffer.index(after: newline)...])
                }
            }
        }
    }
}

/// Runs `ghost serve` on a configuration that must be refused: exit 2, with each of `mentions` in stderr.
func expectServeRefuses(config: String, arguments: [String] = [], mentions: [String]) async throws {
    let folder = try makeTempFolder("cli")
    try write(config, to: folder + "/ghost.yml")
    let result = try await GhostProcess.run(["serve"] + arguments, in: folder)
    #expect(result.status == 2)
    for words in mentions { #expect(result.stderr.contains(words)) }
}

func json(_ response: HTTPClient.Response) -> JSONValue? { try? JSONParser.parse(response.body) }

func files(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
}

func regexPatch(id: String, file: String = "src/App.tsx", pattern: String = "a", replacement: String = "aa") -> String {
    #"{"id": "\#(id)", "role": "ui_patch", "target_file": "\#(file)", "patch": {"pattern": "\#(pattern)", "replacement": "\#(replacement)"}}"#
}

extension ServeProcess {
    /// Polls `GET /api/patches/{id}` until the patch has `status` (in attempt `attempt` or a later one);
    /// returns the last answer either way.
    func awaitStatus(_ id: String, _ status: String, attempt: Int = 1) async throws -> JSONValue? {
        var last: JSONValue?
        _ = try await eventually(10) {
            last = json(try request("GET", "/api/patches/\(id)"))
            return last?["status"]?.stringValue == status && (last?["attempt"]?.doubleValue ?? 1) >= Double(attempt)
        }
        return last
    }
}
