import Foundation
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=...` URL, as libpq and every managed PostgreSQL
/// hands them out. `sslmode=require` (or `verify-ca`, `verify-full`) needs TLS; `prefer` (the default, as in
/// libpq) and `allow` use it when the server offers it; `disable` connects in the clear.
struct PostgresURL: Sendable, Equatable {
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String?
    var sslMode: String

    /// Parses `text`; `nil` when it is not a postgres URL with a host and a user.
    init?(_ text: String) {
        guard let components = URLComponents(string: text), components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty
        else { return nil }
        self.host = host
        port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? nil : path
        // libpq's default, and its values; another value (a typo) is refused rather than read as "no TLS".
        sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard Self.sslModes.contains(sslMode) else { return nil }
    }

    /// The `sslmode` values libpq knows.
    static let sslModes: Set<String> = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    /// The client configuration; `startup` are server settings every connection starts with.
    func clientConfiguration(startup: [(String, String)] = [], connections: Int = 16) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch sslMode {
            case "require", "verify-ca", "verify-full": .require(.makeClientConfiguration())
            case "prefer", "allow": .prefer(.makeClientConfiguration())
            default: .disable
            }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.additionalStartupParameters = startup
        configuration.options.maximumConnections = connections
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
