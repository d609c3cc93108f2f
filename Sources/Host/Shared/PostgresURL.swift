import Foundation
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=...` URL, as libpq and every managed PostgreSQL
/// hands them out. `sslmode=require` (or `verify-full`) needs TLS; `prefer` uses it when offered; anything
/// else connects in the clear (a loopback or private-network database).
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
        sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
    }

    /// The client configuration; `startup` are server settings every connection starts with.
    func clientConfiguration(startup: [(String, String)] = []) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch sslMode {
            case "require", "verify-ca", "verify-full": .require(.makeClientConfiguration())
            case "prefer": .prefer(.makeClientConfiguration())
            default: .disable
            }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.additionalStartupParameters = startup
        configuration.options.maximumConnections = 16
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
