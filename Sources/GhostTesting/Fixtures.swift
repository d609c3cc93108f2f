import Foundation

/// The path of `Fixtures/real-world/<name>` in this checkout.
public func fixturePath(_ name: String) -> String {
    // This file is Sources/GhostTesting/Fixtures.swift: three levels below the package root.
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/real-world/\(name)").path
}

/// The bytes of a real-world fixture.
public func fixtureBytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixturePath(name))))
}

/// The text of a real-world fixture (invalid UTF-8 repaired).
public func fixtureText(_ name: String) throws -> String {
    String(decoding: try fixtureBytes(name), as: UTF8.self)
}
