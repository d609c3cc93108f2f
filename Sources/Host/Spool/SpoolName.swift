import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The names patch files get in a queue's folders.
enum SpoolName {
    /// The seed's name for an HTTP patch, `<id>_<YYYYmmdd_HHMMSS>.json`, kept because users look for it;
    /// the id is reduced to characters safe in a file name.
    static func forDelivery(id: String, at date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        localtime_r(&seconds, &parts)
        let date = digits(parts.tm_year + 1900, 4) + digits(parts.tm_mon + 1, 2) + digits(parts.tm_mday, 2)
        let time = digits(parts.tm_hour, 2) + digits(parts.tm_min, 2) + digits(parts.tm_sec, 2)
        return "\(safe(id))_\(date)_\(time).json"
    }

    /// `value` in decimal, zero-padded to `width`. By hand: String(format:) costs more than the rest of an
    /// HTTP acknowledgement's bookkeeping.
    static func digits(_ value: Int32, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// A name safe in any of the queue's folders: letters, digits, `.`, `_` and `-`; no leading dot; at most
    /// 120 characters; ending in `.json` but never in `.receipt.json`, which only receipts use.
    static func normalized(_ name: String) -> String {
        var stem = name.hasSuffix(".json") ? String(name.dropLast(5)) : name
        stem = safe(stem)
        if stem.hasSuffix(".receipt") { stem += "-patch" }
        return stem + ".json"
    }

    /// The name of the patch file beside the receipt `name`.
    static func patch(forReceipt name: String) -> String { String(name.dropLast(".receipt.json".count)) + ".json" }

    /// The name of the receipt beside the patch file `name`.
    static func receipt(for name: String) -> String { String(name.dropLast(5)) + ".receipt.json" }

    /// `name` with `-2`, `-3`, ... before `.json`, for the `attempt`-th try at a free name.
    static func variant(_ name: String, attempt: Int) -> String {
        attempt == 1 ? name : String(name.dropLast(5)) + "-\(attempt).json"
    }

    private static func safe(_ text: String) -> String {
        let bytes = text.utf8.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                byte
            default: UInt8(ascii: "_")
            }
        }
        var result = String(decoding: bytes, as: UTF8.self)
        while result.hasPrefix(".") { result.removeFirst() }
        if result.isEmpty { result = "patch" }
        return String(result.prefix(120))
    }
}
