import ApplierAPI
import Foundation
import Yams

extension ConfigParser {
    /// `retention: {completed, failed, action, dedup_window}` over `base` (the top-level section, for a queue's).
    static func retentionSection(_ node: Entry, base: RetentionPolicy) throws(ConfigError) -> RetentionPolicy {
        let fields = try node.mapping(allowed: ["completed", "failed", "action", "dedup_window"])
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
        return policy
    }
}

extension Entry {
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
