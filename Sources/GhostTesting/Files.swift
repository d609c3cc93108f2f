import Foundation

/// A fresh folder `ghost-<label>-<uuid>` under the system temp folder, removed by the caller when it likes.
public func makeTempFolder(_ label: String = "ws") throws -> String {
    let path = NSTemporaryDirectory() + "ghost-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `text` to `path`, creating its folder first. An existing file keeps its permissions, and nothing
/// touches the file after it is written: a host watching the folder may take it at once.
public func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(
        atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
        withIntermediateDirectories: true
    )
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// Writes `text` to `path` (creating its folder) and then sets the file's permissions to `mode`.
public func writeFile(_ path: String, _ text: String, mode: Int = 0o644) throws {
    try write(text, to: path)
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
}

/// The file's content as UTF-8 text, or `nil` when it cannot be read.
public func readText(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}
