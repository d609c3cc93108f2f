import ApplierAPI
import Foundation

/// The fixtures in `Fixtures/edit-formats/<tool>/`: cases where another tool's applier (Aider's, Codex's) is
/// known to behave a certain way, each with the files, the text, what the tool writes and what GhostRunner
/// must do.
enum EditFormatFixtures {
    /// The folder of one tool's fixtures.
    static func folder(_ tool: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/edit-formats/\(tool)")
    }

    /// The fixture file names of one tool, sorted.
    static func names(_ tool: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder(tool).path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    /// One fixture.
    static func load(_ tool: String, _ name: String) throws -> JSONValue {
        try JSONParser.parse([UInt8](try Data(contentsOf: folder(tool).appendingPathComponent(name))))
    }

    /// A fixture's `files` object (or any such object) as bytes by path.
    static func files(_ object: JSONValue?) -> [String: [UInt8]] {
        (object?.objectValue ?? [:]).compactMapValues { $0.stringValue.map { Array($0.utf8) } }
    }
}
