/// Keeps a bounded part of a process's output: the first bytes (a plugin's answer) or the last (a log tail).
struct OutputCapture: Sendable {
    /// Which end of the stream to keep.
    enum Keep: Sendable {
        /// The first `limit` bytes; more is an overflow.
        case head
        /// The last `limit` bytes.
        case tail
    }

    let limit: Int
    let keep: Keep
    private(set) var bytes: [UInt8] = []
    /// True when bytes were dropped.
    private(set) var overflowed = false

    init(limit: Int, keep: Keep) {
        self.limit = limit
        self.keep = keep
    }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        switch keep {
        case .head:
            let room = limit - bytes.count
            if chunk.count > room { overflowed = true }
            bytes.append(contentsOf: chunk.prefix(max(0, room)))
        case .tail:
            bytes.append(contentsOf: chunk)
            if bytes.count > limit {
                overflowed = true
                bytes.removeFirst(bytes.count - limit)
            }
        }
    }

    /// The kept bytes as text (invalid UTF-8 repaired, a cut character at the start of a tail dropped).
    var text: String { String(decoding: bytes, as: UTF8.self) }
}
