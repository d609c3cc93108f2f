import ApplierAPI
import Appliers
import Foundation
import Host
import LicenseHeader
import Testing

@Suite struct LicenseHeaderTests {
    let header = "// SPDX-License-Identifier: MIT\n"

    func workspace(with source: String?) throws -> Workspace {
        let folder = NSTemporaryDirectory() + "license-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if let source { try Data(source.utf8).write(to: URL(fileURLWithPath: folder + "/main.swift")) }
        return try Workspace(root: folder)
    }

    func patch() -> [UInt8] {
        Array(#"{"id": "lic", "role": "license_header", "target_file": "main.swift", "patch": {"header": "// SPDX-License-Identifier: MIT\n"}}"#.utf8)
    }

    var runner: PatchRunner {
        var registry = ApplierRegistry.builtIn()
        registry.register(LicenseHeaderApplier())
        return PatchRunner(registry: registry)
    }

    func contents(_ workspace: Workspace) -> String? {
        FileManager.default.contents(atPath: workspace.root + "/main.swift").map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func addsTheHeaderOnceThenIsUnchanged() async throws {
        let workspace = try workspace(with: "print(1)\n")
        let first = await runner.run(json: patch(), in: workspace, options: RunOptions())
        #expect(first.status == .applied)
        #expect(contents(workspace) == header + "print(1)\n")
        let second = await runner.run(json: patch(), in: workspace, options: RunOptions())
        #expect(second.status == .unchanged)
        #expect(contents(workspace) == header + "print(1)\n")
    }

    @Test func checkShowsTheDiffAndWritesNothing() async throws {
        let workspace = try workspace(with: "print(1)\n")
        let receipt = await runner.run(json: patch(), in: workspace, options: RunOptions(checkOnly: true))
        #expect(receipt.diff.contains("+// SPDX-License-Identifier: MIT"))
        #expect(contents(workspace) == "print(1)\n")
    }

    var binary: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/license-ghost").path
    }

    @Test func theCustomBinaryServesTheRoleThroughItsInbox() async throws {
        let workspace = try workspace(with: "print(3)\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "0"]
        process.currentDirectoryURL = URL(fileURLWithPath: workspace.root)
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        // Dropped the safe way: written to a dot-file, then renamed into the inbox.
        let inbox = workspace.root + "/patches"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try Data(patch()).write(to: URL(fileURLWithPath: inbox + "/.lic.json.part"))
        try FileManager.default.moveItem(atPath: inbox + "/.lic.json.part", toPath: inbox + "/lic.json")
        let receipt = inbox + "/.completed/lic.receipt.json"
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: receipt) { try await Task.sleep(for: .milliseconds(20)) }
        let text = FileManager.default.contents(atPath: receipt).map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(text.contains(#""status":"applied""#))
        #expect(text.contains(#""role":"license_header""#))
        #expect(contents(workspace) == header + "print(3)\n")
    }

    @Test func theCustomBinaryListsAndAppliesTheRole() throws {
        let workspace = try workspace(with: "print(2)\n")
        func run(_ arguments: [String], stdin: [UInt8] = []) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            input.fileHandleForWriting.write(Data(stdin))
            try input.fileHandleForWriting.close()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let roles = try run(["roles"])
        #expect(roles.1.contains("license_header"))
        #expect(roles.1.contains("ui_patch"))
        let applied = try run(["apply", "--workspace", workspace.root], stdin: patch())
        #expect(applied.0 == 0)
        #expect(applied.1.contains(#""status":"applied""#))
        #expect(contents(workspace) == header + "print(2)\n")
    }
}
