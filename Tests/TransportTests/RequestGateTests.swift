import Foundation
import Testing

@testable import Transport

@Suite struct RequestGateTests {
    let gate = RequestGate(boundHost: "127.0.0.1", allowedHosts: ["ghost.lan"], allowedOrigins: ["https://app.example"])

    private func headers(
        host: String? = "127.0.0.1:5051",
        origin: String? = nil,
        site: String? = nil,
        secFetch: Bool = false,
        type: String? = "application/json",
        body: Bool = true
    ) -> RequestGate.Headers {
        RequestGate.Headers(
            host: host,
            origin: origin,
            secFetchSite: site,
            hasSecFetchHeader: secFetch || site != nil,
            contentType: type,
            hasBody: body
        )
    }

    @Test func hostNamesThatAreNotThisHostAreMisdirected() {
        for host in ["evil.example:5051", "evil.example", "127.0.0.1.nip.io", "10.0.0.5:5051", ""] {
            guard case .misdirected = gate.check(headers(host: host)) else {
                Issue.record("\(host) passed")
                continue
            }
        }
        #expect(gate.check(headers(host: nil)) != nil)
        for host in ["127.0.0.1:5051", "localhost:5051", "LOCALHOST.", "[::1]:5051", "127.1.2.3", "ghost.lan:5051", "app.localhost"] {
            #expect(gate.check(headers(host: host)) == nil, "\(host)")
        }
    }

    @Test func originsOtherThanItsOwnOrListedAreForbidden() {
        #expect(gate.check(headers(origin: "http://127.0.0.1:5051", site: "same-origin")) == nil)
        #expect(gate.check(headers(origin: "https://app.example", site: "cross-site")) == nil)
        for origin in ["https://evil.example", "null", "http://localhost:5051", "http://127.0.0.1:3000"] {
            guard case .forbiddenOrigin = gate.check(headers(origin: origin)) else {
                Issue.record("\(origin) passed")
                continue
            }
        }
        guard case .forbiddenOrigin = gate.check(headers(site: "cross-site", body: false)) else {
            Issue.record("a cross-site GET passed")
            return
        }
    }

    @Test func aBrowserBodyMustBeJSONWhileCurlsFormBodyPasses() {
        #expect(gate.check(headers(type: "application/x-www-form-urlencoded")) == nil)
        #expect(gate.check(headers(type: nil)) == nil)
        #expect(gate.check(headers(secFetch: true, type: "application/vnd.ghost+json")) == nil)
        #expect(gate.check(headers(origin: "http://127.0.0.1:5051", type: "application/json; charset=utf-8")) == nil)
        for type in ["text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"] {
            guard case .unsupportedMediaType = gate.check(headers(origin: "http://127.0.0.1:5051", type: type)) else {
                Issue.record("\(type) passed")
                continue
            }
            guard case .unsupportedMediaType = gate.check(headers(secFetch: true, type: type)) else {
                Issue.record("\(type) passed with Sec-Fetch-Mode")
                continue
            }
        }
    }

    @Test func corsHeadersOnlyForListedOrigins() {
        #expect(gate.corsOrigin("https://app.example") == "https://app.example")
        #expect(gate.corsOrigin("https://evil.example") == nil)
        #expect(gate.corsOrigin(nil) == nil)
    }
}
