import ApplierAPI
import Foundation
import Yams

extension ConfigParser {
    /// `retention: {completed, failed, action, dedup_window, before_images_per_patch}` over `base` (the top-level section, for a queue's).
    static func retentionSection(_ node: Entry, base: RetentionPolicy) throws(ConfigError) -> RetentionPolicy {
        let fields = try node.mapping(allowed: ["completed", "failed", "action", "dedup_window", "before_images_per_patch"])
        var policy = base
        if let value = fields["completed"] { policy.completed = try value.keep() }
        if let value = fields["failed"] { policy.failed = try value.keep() }
        if let value = fields["action"] {
            guard let action = RetentionPolicy.Action(rawValue: try value.string()) else { throw value.error("expected archive or delete") }
            policy.action = action
        }
        if let value = fields["dedup_window"] {
            guard case .age(let window) = try value.keep() else { throw value.error("expected an age such as 30d or 12h") }
            policy.dedupWindow = window
        }
        if let value = fields["before_images_per_patch"] { policy.beforeImageBytes = try value.byteSize() }
        return policy
    }
}

extension Entry {
    /// A size in bytes: a whole number, or one with `KB`, `MB` or `GB` (powers of 1024), at most 1 GB.
    func byteSize() throws(ConfigError) -> Int {
        if let count = node.int {
            guard (0...(1 << 30)).contains(count) else { throw error("a size is 0 to 1GB") }
            return count
        }
        let text = try string().uppercased()
        let units: [(String, Int)] = [("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30)]
        guard let (unit, scale) = units.first(where: { text.hasSuffix($0.0) }),
            let amount = Double(text.dropLast(unit.count).trimmingCharacters(in: .whitespaces)),
            amount >= 0, amount * Double(scale) <= Double(1 << 30)
        else { throw error("expected a size such as 4MB, 512KB or 1048576") }
        return Int(amount * Double(scale))
    }

    /// `forever`, an age (`30d`, `12h`, `45m`, `90s`), or a whole number (keep the newest that many).
    func keep() throws(ConfigError) -> RetentionPolicy.Keep {
        if let count = node.int {
            guard count >= 0 else { throw error("a count is 0 or more") }
            return .count(count)
        }
        let text = try string()
        if text == "forever" { return .forever }
        let units: [Character: Double] = ["d": 86_400, "h": 3_600, "m": 60, "s": 1]
        guard let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount > 0, amount <= 36_500 * 86_400 / unit
        else { throw error("expected forever, an age such as 30d, 12h, 45m or 90s, or a count such as 10000") }
        return .age(.milliseconds(Int64(amount * unit * 1000)))
    }
}
