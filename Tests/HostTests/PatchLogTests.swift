import ApplierAPI
import Foundation
import Logging
import Synchronization
import Testing

@testable import Host

/// A log handler keeping every line, for tests.
struct CapturingLogHandler: LogHandler {
    /// The lines logged: level, message, metadata.
    final class Lines: Sendable {
        let entries = Mutex<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])
    }

    let lines: Lines
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.entries.withLock { $0.append((event.level, event.message.description, event.metadata ?? [:])) }
    }
}

@Suite struct PatchLogTests {
    @Test func aFinishedPatchIsOneInfoLineWithIdQueueStatusReasonAndDuration() throws {
        let lines = CapturingLogHandler.Lines()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }
        var failed = Receipt(id: "p1", role: "ui_patch", queue: "MAIN", source: .http, status: .failed, receivedAt: Date())
        failed.reason = .noMatch
        failed.message = "the pattern matches nowhere"
        failed.durationMs = 1.23456
        failed.attempt = 2
        PatchLog.finished(failed, logger: logger)
        var applied = Receipt(id: "p2", role: "write", queue: "MAIN", source: .inbox, status: .applied, receivedAt: Date())
        applied.durationMs = 4
        PatchLog.finished(applied, logger: logger)

        let entries = lines.entries.withLock { $0 }
        #expect(entries.count == 2)
        let first = try #require(entries.first)
        #expect(first.level == .info)
        #expect(first.message == "patch failed")
        #expect(first.metadata["id"] == "p1")
        #expect(first.metadata["queue"] == "MAIN")
        #expect(first.metadata["status"] == "failed")
        #expect(first.metadata["reason"] == "no_match")
        #expect(first.metadata["duration_ms"] == "1.234")
        #expect(first.metadata["attempt"] == "2")
        #expect(first.metadata["source"] == "http")
        let second = try #require(entries.last)
        #expect(second.level == .info)
        #expect(second.message == "patch applied")
        #expect(second.metadata["reason"] == nil)
        #expect(second.metadata["attempt"] == nil)
    }
}
