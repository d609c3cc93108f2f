import Foundation

/// A portable watcher: lists the folder every `interval` and reports names that are new or changed (by size
/// and modification time). Used on macOS, where the old system's users run, and anywhere inotify is missing.
package struct PollingWatcher: DirectoryWatcher {
    /// The folder.
    package let path: String
    /// The time between listings.
    package let interval: Duration

    /// A watcher of `path`.
    package init(path: String, interval: Duration = .milliseconds(250)) {
        self.path = path
        self.interval = interval
    }

    /// Events from listing the folder; the stream fails when the folder disappears.
    package func events() throws -> AsyncThrowingStream<DirectoryEvent, any Error> {
        let path = self.path
        let interval = self.interval
        return AsyncThrowingStream { continuation in
            let task = Task {
                var seen: [String: (Int64, Date)] = [:]
                while !Task.isCancelled {
                    guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                        continuation.finish(throwing: InboxError("inbox folder \(path) is gone"))
                        return
                    }
                    var current: [String: (Int64, Date)] = [:]
                    for name in names {
                        let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
                        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
                        let modified = attributes?[.modificationDate] as? Date ?? .distantPast
                        current[name] = (size, modified)
                        if let previous = seen[name], previous == (size, modified) { continue }
                        continuation.yield(.file(name))
                    }
                    seen = current
                    try? await Task.sleep(for: interval)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// Why an inbox stopped working.
package struct InboxError: Error, CustomStringConvertible, Sendable {
    /// What happened.
    package let description: String

    /// An error saying `description`.
    package init(_ description: String) { self.description = description }
}
