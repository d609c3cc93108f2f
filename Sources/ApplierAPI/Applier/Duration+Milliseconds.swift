extension Duration {
    /// The duration in milliseconds, rounded to the microsecond, as receipts report it.
    public var milliseconds: Double {
        let (seconds, attoseconds) = components
        let exact = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return (exact * 1000).rounded() / 1000
    }
}
