/// Decides from a request's headers alone whether it may reach the API: the defences against web pages
/// in the user's browser (cross-origin posts, DNS rebinding), which need no credentials to reach a
/// loopback port.
///
/// - `Host` must be a loopback name or address, the address the host is bound to, or listed in
///   `http.allowed_hosts`: a DNS-rebinding page sends its own name (421).
/// - `Origin`, when sent, must be the host's own origin or listed in `http.allowed_origins`; so must
///   a request whose `Sec-Fetch-Site` is anything but `same-origin` or `none` (403).
/// - A body that is not JSON is taken only from a client that sends no `Origin` and no `Sec-Fetch-*`
///   header (`curl -d @fix.json`), never from a page's form or `text/plain` post (415).
struct RequestGate: Sendable {
    /// What a request shows of itself.
    struct Headers: Sendable {
        var host: String?
        var origin: String?
        var secFetchSite: String?
        var hasSecFetchHeader: Bool
        var contentType: String?
        var hasBody: Bool
    }

    /// Why a request is refused.
    enum Refusal: Sendable, Equatable {
        case misdirected(String)
        case forbiddenOrigin(String)
        case unsupportedMediaType(String)
    }

    private let allowedHosts: Set<String>
    private let anyHost: Bool
    private let allowedOrigins: Set<String>
    private let boundHost: String?

    /// A gate for a server bound to `boundHost`.
    init(boundHost: String, allowedHosts: [String], allowedOrigins: [String]) {
        let hosts = allowedHosts.map { Self.hostName(of: $0.lowercased()) }
        self.allowedHosts = Set(hosts)
        self.anyHost = allowedHosts.contains("*")
        self.allowedOrigins = Set(allowedOrigins.map(Self.normalizeOrigin))
        let bound = Self.hostName(of: boundHost.lowercased())
        self.boundHost = ["0.0.0.0", "::", ""].contains(bound) ? nil : bound
    }

    /// The refusal for a request, `nil` when it may pass.
    func check(_ headers: Headers) -> Refusal? {
        guard let host = headers.host, !host.isEmpty else { return .misdirected("the request has no Host header") }
        guard isAllowedHost(host) else {
            return .misdirected("Host '\(host)' is not this host's name; add it to http.allowed_hosts if it is")
        }
        let originAllowed = headers.origin.map { allowedOrigins.contains(Self.normalizeOrigin($0)) } ?? false
        if let origin = headers.origin, !originAllowed, Self.normalizeOrigin(origin) != "http://" + host.lowercased() {
            return .forbiddenOrigin("requests from web pages of \(origin) are refused; add the origin to http.allowed_origins to allow it")
        }
        if let site = headers.secFetchSite?.lowercased(), site != "same-origin", site != "none", !originAllowed {
            return .forbiddenOrigin("a \(site) request from a web page is refused")
        }
        if headers.hasBody, headers.origin != nil || headers.hasSecFetchHeader, !Self.isJSON(headers.contentType) {
            return .unsupportedMediaType(
                "a body from a browser must be application/json, not \(headers.contentType ?? "untyped")"
            )
        }
        return nil
    }

    /// The origin to name in `Access-Control-Allow-Origin`, when the config allows it.
    func corsOrigin(_ origin: String?) -> String? {
        guard let origin, allowedOrigins.contains(Self.normalizeOrigin(origin)) else { return nil }
        return origin
    }

    private func isAllowedHost(_ header: String) -> Bool {
        let name = Self.hostName(of: header.lowercased())
        // The names every local client sends, first: no parsing of addresses for them.
        if name == "127.0.0.1" || name == "localhost" { return true }
        if anyHost || allowedHosts.contains(name) || name == boundHost { return true }
        if name.hasSuffix(".localhost") { return true }
        return LoopbackAddress.isLoopbackLiteral(name)
    }

    /// The name or address of a `Host` value, without brackets, port or trailing dot.
    static func hostName(of value: String) -> String {
        let bytes = value.utf8
        var name = Substring(value)
        if bytes.first == UInt8(ascii: "[") {
            name = name.dropFirst().prefix { $0 != "]" }
        } else if let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes[bytes.index(after: colon)...].firstIndex(of: UInt8(ascii: ":")) == nil {
            name = name[..<colon]
        }
        if name.utf8.last == UInt8(ascii: ".") { name = name.dropLast() }
        return String(name)
    }

    private static func normalizeOrigin(_ origin: String) -> String {
        var text = origin.lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// True for `application/json` and `application/*+json`, parameters aside (ASCII, case-insensitive).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        if contentType == "application/json" { return true }
        var media = Array(contentType.utf8.prefix { $0 != UInt8(ascii: ";") })
        while let last = media.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { media.removeLast() }
        let start = media.firstIndex { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") } ?? media.endIndex
        let lower = media[start...].map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        let application = Array("application/".utf8)
        guard lower.starts(with: application) else { return false }
        return lower.elementsEqual(Array("application/json".utf8)) || lower.reversed().starts(with: Array("nosj+".utf8))
    }
}
