/// Something a directory watcher reports.
package enum DirectoryEvent: Sendable, Equatable {
    /// A file with this name was written and closed, or moved in.
    case file(String)
    /// Events may have been lost (a queue overflow): look at every file again.
    case rescan
}

/// Watches one folder for files that appear in it, behind one interface so each platform uses its best
/// mechanism (inotify on Linux, polling elsewhere).
package protocol DirectoryWatcher: Sendable {
    /// Starts watching and returns the events. The stream ends with an error when the watch is lost (the
    /// folder was removed or moved away), so the supervisor can restart the inbox.
    func events() throws -> AsyncThrowingStream<DirectoryEvent, any Error>
}

/// The watcher this platform does best: inotify on Linux, polling elsewhere.
package func makeDirectoryWatcher(path: String, pollInterval: Duration = .milliseconds(250)) -> any DirectoryWatcher {
    #if os(Linux)
    InotifyWatcher(path: path)
    #else
    PollingWatcher(path: path, interval: pollInterval)
    #endif
}
