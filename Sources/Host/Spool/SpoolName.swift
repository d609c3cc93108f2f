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
        let stamp = String(
            format: "%04d%02d%02d_%02d%02d%02d",
            Int(parts.tm_year) + 1900,
            Int(parts.tm_mon) + 1,
            Int(parts.tm_mday),
            Int(parts.tm_hour),
            Int(parts.tm_min),
            Int(parts.tm_sec)
        )
        return "\(safe(id))_\(stamp).json"
    }

    /// A name safe in any of the queue's folders: letters, digits, `.`, `_` and `-`; no leading dot; at most
    /// 120 characters; ending in `.json` but never in `.receipt.json`, which only receipts use.
    static func normalized(_ name: String) -> String {
        var stem = name.hasSuffix(".json") ? String(name.dropLast(5)) : name
        stem = safe(stem)
        if stem.hasSuffix(".receipt") { stem += "-patch" }
        return stem + ".json"
    }

    /// The name of the receipt beside the patch file `name`.
    static func receipt(for name: String) -> String { String(name.dropLast(5)) + ".receipt.json" }

    /// `name` with `-2`, `-3`, ... before `.json`, for the `attempt`-th try at a free name.
    static func variant(_ name: String, attempt: Int) -> String {
        attempt == 1 ? name : String(name.dropLast(5)) + "-\(attempt).json"
    }

    private static func safe(_ text: String) -> String {
        var result = String(
            text.unicodeScalars.map { scalar in
                scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar))
                    ? Character(scalar) : "_"
            }
        )
        while result.hasPrefix(".") { result.removeFirst() }
        if result.isEmpty { result = "patch" }
        return String(result.prefix(120))
    }
}
