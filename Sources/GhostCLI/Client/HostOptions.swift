import ApplierAPI
import ArgumentParser
import Foundation
import Host
import Transport

/// How a command finds the running host: `--config` (its address and credentials) or `--url`.
struct HostOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("The configuration naming the host's address and token.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("The host's address (default: from the configuration).", valueName: "http://host:port"))
    var url: String?

    /// The exit status when no host answers, as `ghost status` uses it.
    static let notRunning: Int32 = 3

    /// The host as the options name it: its configuration, a client for its address, and its credentials.
    struct Connection {
        /// The configuration loaded (also for reading the spool when no host answers).
        let settings: GhostConfig
        /// A client for the host's address.
        var client: HTTPClient

        /// The headers that authenticate a request with `body`: the bearer token, and an HMAC signature of
        /// the body when the host has a secret.
        func credentials(body: [UInt8] = []) -> [(String, String)] {
            var headers: [(String, String)] = []
            if let token = settings.http.token { headers.append(("Authorization", "Bearer \(token)")) }
            if let secret = settings.http.hmacSecret {
                headers.append(("X-Hub-Signature-256", "sha256=" + HMACSignature.hex(body, secret: secret)))
            }
            return headers
        }
    }

    /// Loads the configuration and points a client at the host, giving up on an answer after `timeoutSeconds`.
    func connect(timeoutSeconds: Int = HTTPClient.defaultTimeoutSeconds) throws -> Connection {
        let settings = try ConfigOption.load(config)
        var client = try HTTPClient.target(url: url, settings: settings)
        client.timeoutSeconds = timeoutSeconds
        return Connection(settings: settings, client: client)
    }

    /// Sends a request with the host's credentials; returns the status and the JSON answer. Exits with
    /// ``notRunning`` when no host answers.
    func call(_ method: String, _ path: String, timeoutSeconds: Int = HTTPClient.defaultTimeoutSeconds) throws -> (status: Int, body: JSONValue) {
        let connection = try connect(timeoutSeconds: timeoutSeconds)
        let client = connection.client
        let response: HTTPClient.Response
        do {
            response = try client.request(method: method, path: path, headers: connection.credentials())
        } catch {
            FileHandle.standardError.write(Data("no host answered at http://\(client.host):\(client.port): \(error)\n".utf8))
            throw ExitCode(Self.notRunning)
        }
        return (response.status, (try? JSONParser.parse(response.body)) ?? .null)
    }

    /// Like ``call(_:_:timeoutSeconds:)``, but an answer that is not 2xx prints the host's error and exits 1.
    func expectSuccess(_ method: String, _ path: String) throws -> JSONValue {
        let (status, body) = try call(method, path)
        guard (200..<300).contains(status) else {
            let error = body["result"]?["error"]
            let message = error?["message"]?.stringValue ?? "the host answered \(status)"
            FileHandle.standardError.write(Data("\(error?["code"]?.stringValue ?? "error"): \(message)\n".utf8))
            throw ExitCode(1)
        }
        return body
    }

    /// `text` as one path segment (an id or queue name with `/`, `?` or `%` in it stays one segment).
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
