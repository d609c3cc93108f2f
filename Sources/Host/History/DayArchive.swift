import ApplierAPI
import CZlib
import Foundation

/// Retention's archive of the patches that finished on one day (UTC): `.archive/YYYY-MM-DD.tar.gz` in the
/// queue's folder, holding `completed/NAME.json`, `completed/NAME.receipt.json` and the same under `failed/`.
///
/// Each sweep appends one gzip member of tar entries, fsynced before the files it holds are removed; `gzip`
/// and `tar -xzf` read the members as one archive. A member cut short by a crash ends the readable part;
/// the files it held were not removed, and the next sweep archives them again.
enum DayArchive {
    /// The archive's name for patches that finished at `date`.
    static func name(for date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(digits(parts.tm_year + 1900, 4))-\(digits(parts.tm_mon + 1, 2))-\(digits(parts.tm_mday, 2)).tar.gz"
    }

    /// Appends `members` (path in the archive, bytes) to the archive at `url` as one gzip member and fsyncs it
    /// and its folder.
    static func append(_ members: [(path: String, bytes: [UInt8])], to url: URL, modified: Date = Date()) throws(ApplyError) {
        guard !members.isEmpty else { return }
        guard let file = gzopen(url.path, "ab6") else { throw ApplyError.system("cannot open the archive \(url.path)") }
        var failed = false
        for member in members {
            for block in [header(member.path, size: member.bytes.count, modified: modified), member.bytes, padding(member.bytes.count)] {
                guard !failed, !block.isEmpty else { continue }
                let written = block.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
                if written != Int32(block.count) { failed = true }
            }
        }
        if gzclose(file) != Z_OK { failed = true }
        guard !failed else { throw ApplyError(.ioError, "cannot write the archive \(url.path)") }
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ApplyError.system("cannot open the archive \(url.path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ApplyError.system("fsync of \(url.path) failed") }
        try Spool.syncFolder(url.deletingLastPathComponent())
    }

    /// The bytes of the first entry named `path` in the archive at `url`; `nil` when it has none.
    static func read(_ path: String, from url: URL) -> [UInt8]? {
        var found: [UInt8]?
        forEachEntry(in: url) { name, bytes in
            guard name == path else { return true }
            found = bytes
            return false
        }
        return found
    }

    /// Calls `body` with each entry's path and bytes, in order, until it returns false or the readable part
    /// of the archive ends.
    static func forEachEntry(in url: URL, _ body: (String, [UInt8]) -> Bool) {
        guard let file = gzopen(url.path, "rb") else { return }
        defer { gzclose(file) }
        var longName: String?
        while let block = readExactly(file, 512), block.contains(where: { $0 != 0 }) {
            let size = octal(block[124..<136])
            let padded = (size + 511) / 512 * 512
            guard let data = readExactly(file, padded) else { return }
            let bytes = Array(data[..<size])
            if block[156] == UInt8(ascii: "L") {
                longName = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                continue
            }
            let name = longName ?? String(decoding: block[0..<100].prefix { $0 != 0 }, as: UTF8.self)
            longName = nil
            if !body(name, bytes) { return }
        }
    }

    private static func readExactly(_ file: gzFile, _ count: Int) -> [UInt8]? {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32(count)) }
        return read == Int32(count) ? bytes : nil
    }

    /// A ustar header; a name past 100 bytes goes first in a GNU long-name entry, which GNU tar, bsdtar and
    /// Python's tarfile read.
    private static func header(_ path: String, size: Int, modified: Date) -> [UInt8] {
        let name = Array(path.utf8)
        var bytes: [UInt8] = []
        if name.count > 100 {
            let long = name + [0]
            bytes += block(name: Array("././@LongLink".utf8), size: long.count, modified: modified, type: UInt8(ascii: "L"))
            bytes += long + padding(long.count)
        }
        return bytes + block(name: Array(name.prefix(100)), size: size, modified: modified, type: UInt8(ascii: "0"))
    }

    private static func block(name: [UInt8], size: Int, modified: Date, type: UInt8) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ bytes: [UInt8], at offset: Int) { block.replaceSubrange(offset..<offset + bytes.count, with: bytes) }
        func octalField(_ value: Int, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
        }
        put(name, at: 0)
        put(octalField(0o600, width: 8), at: 100)
        put(octalField(0, width: 8), at: 108)
        put(octalField(0, width: 8), at: 116)
        put(octalField(size, width: 12), at: 124)
        put(octalField(max(0, Int(modified.timeIntervalSince1970)), width: 12), at: 136)
        put(Array(repeating: UInt8(ascii: " "), count: 8), at: 148)
        block[156] = type
        put(Array("ustar".utf8) + [0] + Array("00".utf8), at: 257)
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(octalField(checksum, width: 7) + [UInt8(ascii: " ")], at: 148)
        return block
    }

    private static func padding(_ size: Int) -> [UInt8] {
        [UInt8](repeating: 0, count: (512 - size % 512) % 512)
    }

    private static func octal(_ field: ArraySlice<UInt8>) -> Int {
        field.reduce(0) { value, byte in
            (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) ? value * 8 + Int(byte - UInt8(ascii: "0")) : value
        }
    }
}
