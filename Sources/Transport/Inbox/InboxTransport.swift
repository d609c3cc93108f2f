import ApplierAPI
package import Foundation
package import Logging
package import Supervision

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The inbox transport: takes every patch file dropped into a queue's folder and hands it to the host.
///
/// Drop a file by writing it elsewhere (or to a dot-file, `.tmp` or `.part`) and renaming it in; a file
/// written in place is taken once its writer closes it. Files named with a leading dot or ending in `.tmp`
/// or `.part`, and files not ending in `.json`, are never taken. The folder is scanned at start and after
/// the watcher loses events.
package struct InboxTransport: Sendable {
    /// The queue the inbox feeds.
    package let queue: String
    /// The inbox folder.
    package let directory: URL
    /// A file that is not valid JSON yet, whose writer state cannot be probed, is given this long since its
    /// last change before it is taken as garbage.
    package let settleTime: Duration
    /// Files larger than this are refused unread.
    package let maxFileBytes: Int
    private let intake: any PatchIntake
    private let health: HealthBoard
    private let logger: Logger
    private let makeWatcher: @Sendable (String) -> any DirectoryWatcher

    /// An inbox for `queue` in `directory`.
    package init(
        queue: String,
        directory: URL,
        intake: any PatchIntake,
        health: HealthBoard,
        logger: Logger,
        settleTime: Duration = .seconds(2),
        maxFileBytes: Int = 10 << 20,
        makeWatcher: @escaping @Sendable (String) -> any DirectoryWatcher = { makeDirectoryWatcher(path: $0) }
    ) {
        self.queue = queue
        self.directory = directory
        self.intake = intake
        self.health = health
        self.logger = logger
        self.settleTime = settleTime
        self.maxFileBytes = maxFileBytes
        self.makeWatcher = makeWatcher
    }

    /// The component name on the health board.
    package static func componentName(queue: String) -> String { "inbox:\(queue)" }

    /// True for names the inbox takes: `*.json`, not hidden, not a temp file.
    package static func isCandidate(_ name: String) -> Bool {
        !name.hasPrefix(".") && name.hasSuffix(".json") && !name.hasSuffix(".tmp") && !name.hasSuffix(".part")
    }

    private enum Signal: Sendable {
        case event(DirectoryEvent)
        case retry
    }

    /// Watches and takes files until the host shuts down; throws when the watch is lost.
    package func run() async throws {
        let component = Self.componentName(queue: queue)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Watch before the first scan so that nothing dropped in between is missed.
        let events = try makeWatcher(directory.path).events()
        await health.set(component, .up)
        let (signals, signal) = AsyncThrowingStream.makeStream(of: Signal.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await event in events { signal.yield(.event(event)) }
                    signal.finish()
                } catch {
                    signal.finish(throwing: error)
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(250))
                    signal.yield(.retry)
                }
            }
            var waiting = InboxRetries()
            await scan(into: &waiting)
            for try await item in signals {
                switch item {
                case .event(.file(let name)):
                    waiting.forget(name)
                    await attempt(name, &waiting)
                case .event(.rescan):
                    await scan(into: &waiting)
                case .retry:
                    for name in waiting.due(at: .now) { await attempt(name, &waiting) }
                }
            }
            group.cancelAll()
        }
    }

    /// Takes one file; one that must wait is retried with backoff, and a failure is logged once, not at every try.
    private func attempt(_ name: String, _ waiting: inout InboxRetries) async {
        switch await take(name) {
        case .handled:
            waiting.forget(name)
        case .later(let problem):
            if waiting.postpone(name, at: .now, failed: problem != nil), let problem {
                logger.warning("inbox file left for later", metadata: ["file": "\(name)", "error": "\(problem)"])
            }
        }
    }

    private func scan(into waiting: inout InboxRetries) async {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        // Oldest first, so a backlog is applied in the order it was dropped.
        let dated = names.filter(Self.isCandidate).map { name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name, isDirectory: false).path)
            return (name, attributes?[.modificationDate] as? Date ?? .distantPast)
        }
        for (name, _) in dated.sorted(by: { ($0.1, $0.0) < ($1.1, $1.0) }) { await attempt(name, &waiting) }
    }

    private enum Outcome {
        case handled
        /// Not taken yet; a problem worth one log line, when there is one.
        case later(String?)
    }

    /// Reads one file and submits it, unless it is still being written.
    private func take(_ name: String) async -> Outcome {
        guard Self.isCandidate(name) else { return .handled }
        let url = directory.appendingPathComponent(name, isDirectory: false)
        let fd = open(url.path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return .handled }
            if code == ELOOP {
                return await submit(url, [], rejection: ApplyError(.invalidPatch, "\(name) is a symbolic link; the inbox takes only regular files"))
            }
            if code == EACCES || code == EPERM {
                // Filed in .failed/ (a rename needs no read access) with a receipt that says why.
                let message = "cannot read \(name): \(String(cString: strerror(code))); make it readable by the host's user and drop it again"
                return await submit(url, [], rejection: ApplyError(.ioError, message))
            }
            return .later("cannot open: \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .later("cannot inspect: \(String(cString: strerror(errno)))") }
        if (info.st_mode & S_IFMT) == S_IFDIR { return .handled }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            return await submit(url, [], rejection: ApplyError(.invalidPatch, "\(name) is not a regular file"))
        }
        if Int(info.st_size) > maxFileBytes {
            return await submit(url, [], rejection: ApplyError(.limitExceeded, "\(name) is \(info.st_size) bytes; the limit is \(maxFileBytes)"))
        }
        let writer = WriterProbe.probe(fd)
        if writer == .writing { return .later(nil) }
        guard let bytes = Self.readAll(fd, size: Int(info.st_size)) else { return .later("cannot read: \(String(cString: strerror(errno)))") }
        if bytes.isEmpty || (writer == .unknown && (try? JSONParser.parse(bytes)) == nil) {
            // A writer we cannot see may still be filling the file in place (or has only created it so far):
            // wait until it has been quiet a while.
            #if canImport(Darwin)
            let mtime = info.st_mtimespec
            #else
            let mtime = info.st_mtim
            #endif
            let modified = Date(timeIntervalSince1970: Double(mtime.tv_sec) + Double(mtime.tv_nsec) / 1e9)
            if Date().timeIntervalSince(modified) < Double(settleTime.milliseconds) / 1000 { return .later(nil) }
        }
        return await submit(url, bytes, rejection: nil)
    }

    private func submit(_ url: URL, _ bytes: [UInt8], rejection: ApplyError?) async -> Outcome {
        do {
            let acceptance = try await intake.submit(
                Delivery(body: bytes, queue: queue, source: .inbox, inboxFile: url, rejection: rejection)
            )
            logger.debug("inbox file taken", metadata: ["file": "\(url.lastPathComponent)", "id": "\(acceptance.patchID)"])
            return .handled
        } catch  where error.reason == .unavailable || error.reason == .ioError {
            return .later("\(error)")
        } catch {
            logger.info("inbox file refused", metadata: ["file": "\(url.lastPathComponent)", "error": "\(error)"])
            return .handled
        }
    }

    private static func readAll(_ fd: Int32, size: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: max(size, 0))
        var total = 0
        while total < bytes.count {
            let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + total, $0.count - total, off_t(total)) }
            if count < 0 { return nil }
            if count == 0 { break }
            total += count
        }
        bytes.removeLast(bytes.count - total)
        return bytes
    }
}
