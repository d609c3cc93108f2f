import ApplierAPI
import Appliers
import Foundation
import Host

/// A fresh folder under the system temp folder, removed by the caller when it likes.
func makeTempFolder(_ label: String = "ws") throws -> String {
    let path = NSTemporaryDirectory() + "ghost-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func writeFile(_ path: String, _ text: String, mode: Int = 0o644) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
}

func readText(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

func mode(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
}

/// Every entry below `folder`, sorted, for "nothing else was left on disk" checks.
func listing(_ folder: String) -> [String] {
    (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
}

func runPatch(_ json: String, in root: String, aliases: [String] = [], options: RunOptions = RunOptions()) async throws -> Receipt {
    let workspace = try Workspace(root: root, aliases: aliases)
    return await PatchRunner(registry: .builtIn()).run(json: Array(json.utf8), in: workspace, options: options)
}

func realWorldFixture(_ name: String) throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return String(decoding: try Data(contentsOf: root.appendingPathComponent("Fixtures/real-world/\(name)")), as: UTF8.self)
}

let shellAllowed = RunOptions(shellPolicy: ShellPolicy(enabled: true, timeout: .seconds(30)))
