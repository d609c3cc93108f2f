import Crypto

/// Checks a request's bearer token and `X-Hub-Signature-256` HMAC, both in constant time.
///
/// With both configured a request needs one valid credential (a webhook sender can sign but not add a
/// header; a script can send a token), and any credential it presents must be valid.
struct RequestAuthenticator: Sendable {
    private let tokenDigest: [UInt8]?
    private let hmacSecret: [UInt8]?

    init(token: String?, hmacSecret: String?) {
        tokenDigest = token.map(SecretDigest.of)
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
        let presented = SecretDigest.of(String(decoding: header.utf8.dropFirst(prefix.utf8.count), as: UTF8.self))
        return SecretDigest.equal(presented, tokenDigest)
    }

    private func checkSignature(_ header: String, body: [UInt8]) -> Bool {
        guard let hmacSecret, header.hasPrefix("sha256="), let mac = SecretDigest.bytes(hex: header.dropFirst(7)) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: hmacSecret))
    }
}
