import Foundation
import Testing

@testable import Transport

@Suite struct SessionCookieTests {
    let cookie = SessionCookie(token: "t0ken-for-tests", hmacSecret: nil)

    @Test func anIssuedSessionIsValidUntilItExpires() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let value = try #require(cookie.issue(now: now))
        #expect(!value.contains("t0ken"))
        #expect(cookie.isValid(value, now: now))
        #expect(cookie.isValid(value, now: now.addingTimeInterval(Double(SessionCookie.lifetime - 1))))
        #expect(!cookie.isValid(value, now: now.addingTimeInterval(Double(SessionCookie.lifetime))))
    }

    @Test func forgedValuesAreRefused() throws {
        let value = try #require(cookie.issue())
        let parts = value.split(separator: ".")
        for forged in [
            "\(Int(parts[0])! + 60).\(parts[1])", "\(parts[0]).\(parts[1].uppercased())", "\(parts[0])", "", ".", "\(value).x",
            "\(parts[0]).+\(parts[1].dropFirst())",
        ] {
            #expect(!cookie.isValid(forged))
        }
    }

    @Test func anotherTokenInvalidatesEverySession() throws {
        let value = try #require(cookie.issue())
        #expect(!SessionCookie(token: "another", hmacSecret: nil).isValid(value))
        #expect(!SessionCookie(token: nil, hmacSecret: nil).isValid(value))
        #expect(SessionCookie(token: nil, hmacSecret: nil).issue() == nil)
    }

    @Test func onlyTheHostsCredentialsSignIn() {
        let both = SessionCookie(token: "t0ken", hmacSecret: "s3cret")
        #expect(both.accepts(token: "t0ken"))
        #expect(both.accepts(token: "s3cret"))
        for wrong in ["", "t0ke", "t0ken ", "T0KEN", "s3cret\u{0}"] { #expect(!both.accepts(token: wrong)) }
        #expect(!SessionCookie(token: nil, hmacSecret: nil).accepts(token: ""))
    }

    @Test func theSessionIsFoundAmongOtherCookies() {
        #expect(SessionCookie.value(in: ["a=1; ghost_session=v.1; b=2"]) == "v.1")
        #expect(SessionCookie.value(in: ["a=1", "ghost_session=x"]) == "x")
        #expect(SessionCookie.value(in: ["not_ghost_session=x; ghost_sessionx=y"]) == nil)
        #expect(SessionCookie.setCookie("v").contains("HttpOnly; SameSite=Strict; Path=/"))
    }

}
