import ApplierAPI
import Foundation

@testable import GhostCLI

/// A real `ghost serve` on a free loopback port, in a folder of its own.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let folder: String
    let port: Int
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let stdoutLines = LineCollector()
    private let stderrLines = LineCollector()

    /// Starts `ghost serve --port 0 extra...` in `folder` and waits until it listens.
    init(folder: String, arguments: [String] = [], environment: [String: String] = [:]) throws {
        self.folder = folder
        process.executableURL = URL(fileURLWithPath: GhostProcess.binary)
        process.arguments = ["serve", "--port", "0", "--log-level", "debug"] + arguments
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
        let deadline = Date().addingTimeInterval(20)
        var found: Int?
        while found == nil && Date() < deadline && process.isRunning {
            found =
                stderrLines.lines.lazy.compactMap { line -> Int? in
                    guard let range = line.range(of: "listening on http://127.0.0.1:") else { return nil }
                    return Int(line[range.upperBound...])
                }.first
            if found == nil { Thread.sleep(forTimeInterval: 0.02) }
        }
        guard let found else {
            process.terminate()
            throw ServeError(message: "ghost serve did not start: \(stderrLines.lines.joined(separator: "\n"))")
        }
        port = found
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
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
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

struct ServeError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
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

/// Polls `condition` until it holds or `seconds` pass.
func eventually(_ seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}

func json(_ response: HTTPClient.Response) -> JSONValue? { try? JSONParser.parse(response.body) }

func files(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
}

func text(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(
        atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
        withIntermediateDirectories: true
    )
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

func regexPatch(id: String, file: String = "src/App.tsx", pattern: String = "a", replacement: String = "aa") -> String {
    #"{"id": "\#(id)", "role": "ui_patch", "target_file": "\#(file)", "patch": {"pattern": "\#(pattern)", "replacement": "\#(replacement)"}}"#
}
