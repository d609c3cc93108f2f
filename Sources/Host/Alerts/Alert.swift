import ApplierAPI
import Foundation

/// One message about the host's state: a problem that starts (`firing`), or ends (`resolved`).
struct Alert: Sendable, Equatable {
    /// What is wrong.
    enum Kind: String, Sendable {
        /// A transport, executor or other component is not up.
        case componentDown = "component_down"
        /// A component failed and was restarted.
        case componentRestarted = "component_restarted"
        /// A queue's oldest patch has waited too long.
        case queueStuck = "queue_stuck"
        /// Failures of one reason in one queue passed the rate.
        case failures
        /// A patch killed the host each time it ran and was filed `crashed_host`.
        case poisonPatch = "poison_patch"
        /// The disk holding a spool is nearly full.
        case diskFull = "disk_full"
    }

    /// Starting or ending.
    enum Status: String, Sendable {
        case firing
        case resolved
    }

    /// An alert's identity: one message per key within the cooldown, and its resolution.
    struct Key: Hashable, Sendable, Comparable {
        var kind: Kind
        /// The component, queue, `queue/reason` or path it is about.
        var subject: String

        static func < (lhs: Key, rhs: Key) -> Bool { (lhs.kind.rawValue, lhs.subject) < (rhs.kind.rawValue, rhs.subject) }
    }

    var key: Key
    var status: Status
    /// One line for people.
    var summary: String
    /// When it was decided.
    var at: Date

    /// The alert as the webhook and the command receive it.
    var json: JSONValue {
        [
            "kind": .string(key.kind.rawValue),
            "subject": .string(key.subject),
            "status": .string(status.rawValue),
            "summary": .string(summary),
            "at": .string(Receipt.timestamp(at)),
        ]
    }

    /// The alert as a chat line.
    var text: String { "\(status == .firing ? ":rotating_light:" : ":white_check_mark:") GhostRunner: \(summary)" }
}
