import Crypto
import Testing

@testable import Transport

@Suite struct RequestAuthenticatorTests {
    let body = Array(#"{"id": "x"}"#.utf8)

    func signature(_ body: [UInt8], _ secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + mac.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test func withNothingConfiguredEveryRequestIsLetIn() {
        let open = RequestAuthenticator(token: nil, hmacSecret: nil)
        #expect(open.isOpen)
        #expect(open.authorize(authorization: nil, signature: nil, body: body))
    }

    @Test func aTokenMustBePresentedAndMatch() {
        let auth = RequestAuthenticator(token: "t0ken", hmacSecret: nil)
        #expect(!auth.authorize(authorization: nil, signature: nil, body: body))
        #expect(!auth.authorize(authorization: "Bearer t0ke", signature: nil, body: body))
        #expect(!auth.authorize(authorization: "Bearer t0ken2", signature: nil, body: body))
        #expect(!auth.authorize(authorization: "Basic t0ken", signature: nil, body: body))
        #expect(auth.authorize(authorization: "Bearer t0ken", signature: nil, body: body))
        #expect(auth.authorize(authorization: "bearer t0ken", signature: nil, body: body))
        #expect(!auth.bearerAcceptable("Bearer nope"))
    }

    @Test func aSignatureMustCoverTheExactBody() {
        let auth = RequestAuthenticator(token: nil, hmacSecret: "s3cret")
        #expect(auth.authorize(authorization: nil, signature: signature(body, "s3cret"), body: body))
        #expect(!auth.authorize(authorization: nil, signature: signature(body, "other"), body: body))
        #expect(!auth.authorize(authorization: nil, signature: signature(body, "s3cret"), body: body + [0x20]))
        #expect(!auth.authorize(authorization: nil, signature: "sha256=zz", body: body))
        #expect(!auth.authorize(authorization: nil, signature: nil, body: body))
    }

    @Test func withBothConfiguredOneValidCredentialIsEnoughButAWrongOneRefuses() {
        let auth = RequestAuthenticator(token: "t0ken", hmacSecret: "s3cret")
        #expect(auth.authorize(authorization: "Bearer t0ken", signature: nil, body: body))
        #expect(auth.authorize(authorization: nil, signature: signature(body, "s3cret"), body: body))
        #expect(!auth.authorize(authorization: "Bearer t0ken", signature: signature(body, "wrong"), body: body))
        #expect(!auth.authorize(authorization: "Bearer wrong", signature: signature(body, "s3cret"), body: body))
    }
}
