import ApplierAPI
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A log handler writing one JSON object per line to standard error, for log collectors:
/// `{"timestamp":"2026-…Z","level":"info","label":"ghost","message":"…","metadata":{…}}`.
///
/// Each line goes out in one `write`, so lines from several threads never interleave (within the pipe's
/// atomic write size); no lock is needed.
struct JSONLogHandler: LogHandler {
    /// The logger's label.
    let label: String
    /// The lowest level written.
    var logLevel: Logger.Level = .info
    /// Metadata on every line of this logger.
    var metadata: Logger.Metadata = [:]
    /// Task-local metadata, when a provider is set.
    var metadataProvider: Logger.MetadataProvider?

    /// A handler for `label`.
    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        var bytes = Self.line(
            timestamp: Date(),
            level: event.level,
            label: label,
            message: event.message.description,
            metadata: merged
        ).serializedBytes
        bytes.append(UInt8(ascii: "\n"))
        Self.writeToStandardError(bytes)
    }

    /// The JSON object of one line.
    static func line(timestamp: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> JSONValue {
        [
            "timestamp": .string(timestamp.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))),
            "level": .string(level.rawValue),
            "label": .string(label),
            "message": .string(message),
            "metadata": .object(metadata.mapValues(json)),
        ]
    }

    /// A metadata value as JSON: strings stay strings, arrays and dictionaries keep their shape.
    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let items): .array(items.map(json))
        case .dictionary(let entries): .object(entries.mapValues(json))
        }
    }

    private static func writeToStandardError(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}
