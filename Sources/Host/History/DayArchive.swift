import ApplierAPI
import CZlib
import Foundation

/// Retention's archives of the patches that finished on one day (UTC): `.archive/YYYY-MM-DD.tar.gz` in the
/// queue's folder (`YYYY-MM-DD-2.tar.gz` and so on for later sweeps of the same day), holding
/// `completed/NAME.json`, `completed/NAME.receipt.json` and the same under `failed/`; `tar -xzf` reads them.
///
/// Each sweep writes a file of its own: a temp file, fsynced, then linked to a free name (never replacing
/// one) and the folder fsynced. A sweep cut short leaves only a temp file, which the next one removes; an
/// archive that has a name is whole.
enum DayArchive {
    /// The archive's name for patches that finished at `date` (the first of the day).
    static func name(for date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let digits = SpoolName.digits
        return "\(digits(parts.tm_year + 1900, 4))-\(digits(parts.tm_mon + 1, 2))-\(digits(parts.tm_mday, 2)).tar.gz"
    }

    /// The archives of the day `name` names, in the order they were written.
    static func variants(of name: String, in folder: URL) -> [URL] {
        let stem = String(name.dropLast(".tar.gz".count))
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { file in
            file == name || (file.hasPrefix(stem + "-") && file.hasSuffix(".tar.gz") && Int(file.dropFirst(stem.count + 1).dropLast(7)) != nil)
        }
        return names.sorted { ($0.count, $0) < ($1.count, $1) }.map { folder.appendingPathComponent($0, isDirectory: false) }
    }

    /// Removes temp files a sweep cut short left in `folder`.
    static func removeTemporaries(in folder: URL) {
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where file.hasPrefix(".tmp-") {
            unlink(folder.appendingPathComponent(file, isDirectory: false).path)
        }
    }

    /// Writes `members` (path in the archive, bytes) as a new archive of the day `name` in `folder`, durably.
    /// - Returns: The archive's file name (`name`, or a `-N` variant when the day already has archives).
    static func write(
        _ members: [(path: String, bytes: [UInt8])],
        named name: String,
        in folder: URL,
        modified: Date = Date()
    ) throws(ApplyError) -> String {
        let temporary = folder.appendingPathComponent(".tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))", isDirectory: false)
        defer { unlink(temporary.path) }
        guard let file = gzopen(temporary.path, "wb6") else { throw ApplyError.system("cannot create an archive in \(folder.path)") }
        var failed = false
        for member in members {
            for block in [header(member.path, size: member.bytes.count, modified: modified), member.bytes, padding(member.bytes.count)] {
                guard !failed, !block.isEmpty else { continue }
                let written = block.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
                if written != Int32(block.count) { failed = true }
            }
        }
        if gzclose(file) != Z_OK { failed = true }
        guard !failed else { throw ApplyError(.ioError, "cannot write an archive in \(folder.path)") }
        let fd = open(temporary.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ApplyError.system("cannot open \(temporary.path)") }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced else { throw ApplyError.system("fsync of \(temporary.path) failed") }
        let stem = String(name.dropLast(".tar.gz".count))
        for variant in 1...100_000 {
            let candidate = variant == 1 ? name : "\(stem)-\(variant).tar.gz"
            if link(temporary.path, folder.appendingPathComponent(candidate, isDirectory: false).path) == 0 {
                try Spool.syncFolder(folder)
                return candidate
            }
            guard errno == EEXIST else { throw ApplyError.system("cannot name the archive \(candidate)") }
        }
        throw ApplyError(.ioError, "too many archives for \(name)")
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
