import Crypto

/// Checks a request's bearer token and `X-Hub-Signature-256` HMAC, both in constant time.
///
/// With both configured a request needs one valid credential (a webhook sender can sign but not add a
/// header; a script can send a token), and any credential it presents must be valid.
struct RequestAuthenticator: Sendable {
    private let tokenDigest: [UInt8]?
    private let hmacSecret: [UInt8]?

    init(token: String?, hmacSecret: String?) {
        tokenDigest = token.map { Array(SHA256.hash(data: Array($0.utf8))) }
        self.hmacSecret = hmacSecret.map { Array($0.utf8) }
    }

    /// True when no credential is configured.
    var isOpen: Bool { tokenDigest == nil && hmacSecret == nil }

    /// Whether the `Authorization` header alone decides: `false` means refuse before reading the body.
    func bearerAcceptable(_ authorization: String?) -> Bool {
        guard let authorization else { return true }
        return checkBearer(authorization)
    }

    /// The full decision, once the body is read.
    func authorize(authorization: String?, signature: String?, body: [UInt8]) -> Bool {
        if isOpen { return true }
        var valid = false
        if let authorization {
            guard checkBearer(authorization) else { return false }
            valid = true
        }
        if let signature {
            guard checkSignature(signature, body: body) else { return false }
            valid = true
        }
        return valid
    }

    private func checkBearer(_ header: String) -> Bool {
        guard let tokenDigest else { return false }
        let prefix = "Bearer "
        guard header.count > prefix.count, header.lowercased().hasPrefix(prefix.lowercased()) else { return false }
        let presented = Array(SHA256.hash(data: Array(header.utf8.dropFirst(prefix.utf8.count))))
        // Comparing fixed-length digests makes the time independent of where the strings differ and of their length.
        return zip(presented, tokenDigest).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private func checkSignature(_ header: String, body: [UInt8]) -> Bool {
        guard let hmacSecret, header.hasPrefix("sha256="), let mac = Self.hexBytes(header.dropFirst(7)) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: hmacSecret))
    }

    private static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
