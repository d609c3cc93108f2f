extension Duration {
    /// The duration in milliseconds, rounded to the microsecond, as receipts report it.
    package var milliseconds: Double {
        let (seconds, attoseconds) = components
        let exact = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return (exact * 1000).rounded() / 1000
    }

    /// `seconds` (a number a patch, a query or a flag gave) as a duration of at most `limit`: converting a
    /// huge value such as `1e300` to integer milliseconds directly would trap and stop the process.
    package static func seconds(_ seconds: Double, atMost limit: Duration) -> Duration {
        let (whole, fraction) = limit.components
        guard seconds < Double(whole) + Double(fraction) / 1e18 else { return limit }
        return .milliseconds(Int64(max(seconds, 0) * 1000))
    }
}
