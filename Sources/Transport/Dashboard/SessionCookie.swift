import Crypto
import Foundation

/// The dashboard's session cookie: `ghost_session=<expiry>.<hex HMAC-SHA256 of the expiry>`, keyed by a
/// key derived from the host's credentials.
///
/// The cookie never holds the token; it proves that whoever holds it typed the token before `expiry`. It
/// needs no server-side state, so it survives a restart, and changing the token invalidates every session.
struct SessionCookie: Sendable {
    /// The cookie's name.
    static let name = "ghost_session"
    /// How long a session lasts, in seconds (12 hours).
    static let lifetime = 12 * 3600

    /// The MAC key's bytes (`SymmetricKey` is not `Sendable`).
    private let keyBytes: [UInt8]?
    private let secretDigests: [[UInt8]]

    /// A cookie for a host whose credentials are `token` and `hmacSecret` (either may be missing).
    init(token: String?, hmacSecret: String?) {
        let secrets = [token, hmacSecret].compactMap { $0 }
        secretDigests = secrets.map(SecretDigest.of)
        guard !secrets.isEmpty else {
            keyBytes = nil
            return
        }
        let material = SymmetricKey(data: Array(secrets.joined(separator: "\u{0}").utf8))
        keyBytes = Array(HMAC<SHA256>.authenticationCode(for: Array("ghost dashboard session v1".utf8), using: material))
    }

    /// True when the host has credentials, so the page must sign in.
    var isRequired: Bool { keyBytes != nil }

    private var key: SymmetricKey? { keyBytes.map { SymmetricKey(data: $0) } }

    /// Whether `presented` is one of the host's credentials, compared in constant time.
    func accepts(token presented: String) -> Bool {
        let digest = SecretDigest.of(presented)
        // Every secret is compared, whichever matches, so the time does not tell which one did.
        return secretDigests.map { SecretDigest.equal(digest, $0) }.contains(true)
    }

    /// A new session value, valid for ``lifetime`` seconds from `now`.
    func issue(now: Date = Date()) -> String? {
        guard let key else { return nil }
        let expiry = String(Int(now.timeIntervalSince1970) + Self.lifetime)
        return expiry + "." + SecretDigest.hex(HMAC<SHA256>.authenticationCode(for: Array(expiry.utf8), using: key))
    }

    /// Whether `value` is a session this host issued that has not expired.
    func isValid(_ value: String, now: Date = Date()) -> Bool {
        guard let key else { return false }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let expiry = Int(parts[0]), expiry > Int(now.timeIntervalSince1970), parts[1].allSatisfy({ !$0.isUppercase }),
            let mac = SecretDigest.bytes(hex: parts[1])
        else {
            return false
        }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Array(parts[0].utf8), using: key)
    }

    /// The `Set-Cookie` value that stores `value` in the browser, out of reach of scripts and other sites.
    static func setCookie(_ value: String) -> String {
        "\(name)=\(value); HttpOnly; SameSite=Strict; Path=/; Max-Age=\(lifetime)"
    }

    /// The `Set-Cookie` value that removes the session.
    static let clearCookie = "\(name)=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"

    /// The session value among `Cookie` header values, if any.
    static func value(in headers: [String]) -> String? {
        for header in headers {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name else { continue }
                return String(trimmed[trimmed.index(after: equals)...])
            }
        }
        return nil
    }
}
