import Foundation
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// systemd's readiness protocol (`sd_notify`) without libsystemd: datagrams such as `READY=1` sent to the
/// unix socket named by `$NOTIFY_SOCKET` (a path, or `@name` for an abstract socket). With `Type=notify`
/// the unit counts as started only once the host listens, and `STOPPING=1` tells systemd it is stopping.
///
/// As a service it sends `WATCHDOG=1` at half the interval `$WATCHDOG_USEC` asks for (`WatchdogSec=` in the
/// unit), so systemd restarts a host that hangs, and `STOPPING=1` when the host's shutdown begins.
struct SystemdNotifier: Sendable, Service {
    /// The socket's address, as `$NOTIFY_SOCKET` gives it.
    let socketPath: String
    /// How often to send `WATCHDOG=1`; `nil` without a watchdog.
    let watchdogInterval: Duration?

    /// The notifier `$NOTIFY_SOCKET` asks for, or `nil` when the host does not run under systemd.
    init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let path = environment["NOTIFY_SOCKET"], path.hasPrefix("/") || path.hasPrefix("@") else { return nil }
        self.socketPath = path
        // systemd sets WATCHDOG_PID to the process it watches; a child that inherited it must not answer.
        let forUs = environment["WATCHDOG_PID"].map { $0 == String(getpid()) } ?? true
        if forUs, let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0 {
            watchdogInterval = .microseconds(usec / 2)
        } else {
            watchdogInterval = nil
        }
    }

    /// Sends `state` (`READY=1`, `STOPPING=1`, `STATUS=…`; several separated by newlines). Best effort: a
    /// notification that cannot be sent is dropped, as `sd_notify` does.
    func notify(_ state: String) {
        #if canImport(Glibc)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        let abstract = path.first == UInt8(ascii: "@")
        if abstract { path[0] = 0 }
        guard path.count < MemoryLayout.size(ofValue: address.sun_path) else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (abstract ? 0 : 1))
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let message = Array(state.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), target, length) }
            }
        }
        #endif
    }

    /// Sends `WATCHDOG=1` until the host's shutdown begins, then `STOPPING=1`.
    func run() async throws {
        if let interval = watchdogInterval {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                notify("WATCHDOG=1")
                // Cut short when shutdown begins: STOPPING=1 must not wait for the next beat.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            }
        } else {
            try? await gracefulShutdown()
        }
        notify("STOPPING=1")
    }
}
