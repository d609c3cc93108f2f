#if os(Linux)
import Dispatch
import Glibc

/// The Linux watcher: inotify `IN_CLOSE_WRITE` (a writer finished), `IN_MOVED_TO` (a file renamed in) and
/// `IN_CREATE` (a hard link made, as `ghost submit --inbox` does; a file still open for writing is left for later),
/// `IN_Q_OVERFLOW` (rescan), and the folder's own removal or move (the watch is lost: the stream fails).
package struct InotifyWatcher: DirectoryWatcher {
    /// The folder.
    package let path: String

    /// A watcher of `path`.
    package init(path: String) { self.path = path }

    /// Starts watching; throws when inotify cannot watch the folder.
    package func events() throws -> AsyncThrowingStream<DirectoryEvent, any Error> {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw InboxError("inotify_init1: \(String(cString: strerror(errno)))") }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
        guard inotify_add_watch(fd, path, mask) >= 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw InboxError("cannot watch \(path): \(message)")
        }
        let path = self.path
        return AsyncThrowingStream { continuation in
            // Dispatch sources are thread-safe; the closures below only resume, cancel and read through it.
            nonisolated(unsafe) let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: DispatchQueue(label: "ghost.inotify"))
            source.setEventHandler {
                switch Self.drain(fd) {
                case .events(let events):
                    for event in events { continuation.yield(event) }
                case .lost:
                    continuation.finish(throwing: InboxError("inbox folder \(path) was removed or moved"))
                    source.cancel()
                }
            }
            source.setCancelHandler { close(fd) }
            continuation.onTermination = { _ in source.cancel() }
            source.resume()
        }
    }

    private enum Drained {
        case events([DirectoryEvent])
        case lost
    }

    /// Reads every event queued on the (non-blocking) descriptor.
    private static func drain(_ fd: Int32) -> Drained {
        var events: [DirectoryEvent] = []
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: MemoryLayout<inotify_event>.alignment)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer, capacity)
            if count <= 0 { break }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= count {
                let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameStart = offset + MemoryLayout<inotify_event>.size
                if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    events.append(.rescan)
                } else if event.mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 {
                    return .lost
                } else if event.len > 0 {
                    let namePointer = (buffer + nameStart).assumingMemoryBound(to: CChar.self)
                    events.append(.file(String(cString: namePointer)))
                }
                offset = nameStart + Int(event.len)
            }
        }
        return .events(events)
    }
}
#endif
