import ArgumentParser
import Host
import Transport

extension HTTPClient {
    /// A client of `url` (`http://host:port`) when given, else of the host the configuration names (one
    /// listening on every address, `0.0.0.0`, is reached on loopback).
    static func target(url: String?, settings: GhostConfig) throws -> HTTPClient {
        if let url {
            guard let parsed = HTTPClient(url: url) else { throw ValidationError("--url: expected http://host:port") }
            return parsed
        }
        return HTTPClient(host: settings.http.host == "0.0.0.0" ? "127.0.0.1" : settings.http.host, port: settings.http.port)
    }
}
