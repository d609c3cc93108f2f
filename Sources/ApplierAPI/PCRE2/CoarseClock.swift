#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A monotonic clock of a few milliseconds' resolution that costs a few nanoseconds to read: cheap enough
/// to time every call of a substitution loop against a patch's regex budget.
enum CoarseClock {
    /// Milliseconds since an arbitrary fixed point.
    static func milliseconds() -> Int64 {
        var time = timespec()
        #if os(Linux)
        clock_gettime(CLOCK_MONOTONIC_COARSE, &time)
        #else
        clock_gettime(CLOCK_MONOTONIC_RAW_APPROX, &time)
        #endif
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
