import Foundation

extension ConfigParser {
    /// `store: {postgres: {url_env, lease_s, poll_ms}}`.
    static func storeSection(_ node: Entry, environment: [String: String]) throws(ConfigError) -> SharedStoreSettings {
        let fields = try node.mapping(allowed: ["postgres"])
        guard let postgres = fields["postgres"] else { throw node.error("name the shared store: postgres") }
        let settings = try postgres.mapping(allowed: ["url_env", "lease_s", "poll_ms"])
        let variable = try settings["url_env"]?.string() ?? "GHOST_DATABASE_URL"
        guard let url = environment[variable], !url.isEmpty else {
            throw (settings["url_env"] ?? postgres).error("$\(variable) is not set (the PostgreSQL URL, postgres://user:password@host:port/database)")
        }
        guard PostgresURL(url) != nil else {
            throw (settings["url_env"] ?? postgres).error(
                "$\(variable) is not a postgres://user:password@host:port/database URL (sslmode: disable, allow, prefer, require, verify-ca or verify-full)"
            )
        }
        var store = SharedStoreSettings(url: url, urlEnvironmentVariable: variable)
        if let lease = settings["lease_s"] { store.lease = .seconds(try lease.int(in: 2...3_600)) }
        if let poll = settings["poll_ms"] { store.poll = .milliseconds(try poll.int(in: 10...60_000)) }
        return store
    }

    /// A host's name in a fleet: `node:` (or `--node`), else the machine's hostname.
    static func nodeName(_ node: Entry) throws(ConfigError) -> String {
        let name = try node.string()
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }) else {
            throw node.error("letters, digits, '_', '-' and '.' only")
        }
        return name
    }
}
