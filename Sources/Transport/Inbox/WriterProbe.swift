#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Answers "is some process still writing this file?" for an inbox file written in place.
enum WriterProbe {
    /// What the probe found.
    enum Answer {
        /// Some process has the file open for writing.
        case writing
        /// No process has it open for writing.
        case idle
        /// This system or file system cannot tell.
        case unknown
    }

    /// Probes an open, read-only descriptor. On Linux a read lease can only be taken while no process has
    /// the file open for writing, so taking one and dropping it at once answers the question exactly.
    static func probe(_ fd: Int32) -> Answer {
        #if os(Linux)
        // F_SETLEASE (F_LINUX_SPECIFIC_BASE + 0) is hidden behind _GNU_SOURCE in the C headers.
        let setLease: Int32 = 1024
        if fcntl(fd, setLease, Int32(F_RDLCK)) == 0 {
            _ = fcntl(fd, setLease, Int32(F_UNLCK))
            return .idle
        }
        return errno == EAGAIN ? .writing : .unknown
        #else
        return .unknown
        #endif
    }
}
