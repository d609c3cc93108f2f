import Crypto

/// The `X-Hub-Signature-256` value a host with an `hmac_secret` expects.
enum HMACSignature {
    /// The lower-case hex HMAC-SHA256 of `body` under `secret`.
    static func hex(_ body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return mac.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }.joined()
    }
}
