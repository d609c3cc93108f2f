import ApplierAPI
import Foundation
import Transport
import Yams

/// Reads `ghost.yml` into a ``GhostConfig``, refusing unknown keys and bad values with the key's path.
enum ConfigParser {
    static func parse(yaml: String, baseDirectory: URL, environment: [String: String]) throws(ConfigError) -> GhostConfig {
        // Relative paths resolve inside the folder, not beside it.
        let baseDirectory = URL(fileURLWithPath: baseDirectory.path, isDirectory: true)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigError("", "not valid YAML: \(error)")
        }
        guard let root else { return GhostConfig.embeddedDefault(in: baseDirectory) }
        let document = try Entry(node: root, path: "").mapping(allowed: [
            "http", "default_queue", "queues", "roles", "limits", "retention", "log", "alerts", "dashboard", "store", "node",
        ])
        let limits =
            try document["limits"].map { node throws(ConfigError) in try limitsSection(node, base: (PatchLimits.default, 2)) }
            ?? (PatchLimits.default, 2)
        let retention = try document["retention"].map { node throws(ConfigError) in try retentionSection(node, base: .default) } ?? .default

        var http = HTTPSettings()
        if let node = document["http"] {
            let fields = try node.mapping(allowed: [
                "host", "port", "token", "token_env", "hmac_secret", "hmac_secret_env", "max_body_bytes", "allowed_hosts", "allowed_origins",
                "max_connections", "header_timeout_s", "body_timeout_s", "idle_timeout_s",
            ])
            if let value = fields["max_connections"] { http.maxConnections = try value.int(in: 1...100_000) }
            if let value = fields["header_timeout_s"] { http.headerTimeout = try value.seconds() }
            if let value = fields["body_timeout_s"] { http.bodyTimeout = try value.seconds() }
            if let value = fields["idle_timeout_s"] { http.idleTimeout = try value.seconds() }
            if let host = fields["host"] { http.host = try host.string() }
            if let port = fields["port"] { http.port = try port.int(in: 0...65535) }
            http.token = try secret(fields, "token", environment: environment)
            http.hmacSecret = try secret(fields, "hmac_secret", environment: environment)
            if let limit = fields["max_body_bytes"] { http.maxBodyBytes = try limit.int(in: 1...(1 << 30)) }
            http.allowedHosts = try fields["allowed_hosts"].map { node throws(ConfigError) in try node.strings() } ?? []
            http.allowedOrigins = try fields["allowed_origins"].map { node throws(ConfigError) in try origins(node) } ?? []
            if !http.isLoopback {
                guard http.requiresAuthentication else {
                    throw (fields["host"] ?? node).error(
                        "refusing to listen on \(http.host) (it reaches beyond loopback) with no token or hmac_secret configured"
                    )
                }
                for key in ["token", "hmac_secret"] {
                    let value = key == "token" ? http.token : http.hmacSecret
                    if let value, value.utf8.count < minimumSecretBytes {
                        throw (fields[key] ?? fields[key + "_env"] ?? node).error(
                            "\(key) is \(value.utf8.count) bytes; beyond loopback it must be at least \(minimumSecretBytes) "
                                + "(make one with: openssl rand -hex 32)"
                        )
                    }
                }
            }
        }

        if let node = document["dashboard"] { http.dashboard = try dashboardSection(node) }

        var queues: [QueueConfig] = []
        if let node = document["queues"] {
            let entries = try node.orderedMapping()
            guard !entries.isEmpty else { throw node.error("name at least one queue") }
            for (name, value) in entries {
                guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                    throw value.error("a queue name uses only letters, digits, '_' and '-'")
                }
                queues.append(
                    try queue(name, value, baseDirectory: baseDirectory, environment: environment, limits: limits, retention: retention)
                )
            }
        } else {
            queues = GhostConfig.embeddedDefault(in: baseDirectory).queues.map { queue in
                var queue = queue
                (queue.limits, queue.crashRetries) = limits
                queue.retention = retention
                return queue
            }
        }
        try checkDistinct(queues, document["queues"])
        let queueNodes = try document["queues"]?.mapping(allowed: Set(queues.map(\.name))) ?? [:]
        for queue in queues {
            let node = queueNodes[queue.name]
            try ConfigSafety.check(queue, line: node?.line)
            if (queue.token != nil || queue.hmacSecret != nil) && !http.requiresAuthentication {
                throw ConfigError(
                    "queues.\(queue.name).token",
                    "a queue's own credentials need the host's too (http.token_env or http.hmac_secret_env): routes that span queues "
                        + "(status, receipts by id) take only the host's",
                    line: node?.line
                )
            }
            if queue.token != nil || queue.hmacSecret != nil {
                http.queueCredentials[queue.name] = QueueCredentials(token: queue.token, hmacSecret: queue.hmacSecret)
            }
        }

        let defaultQueue: String
        if let node = document["default_queue"] {
            defaultQueue = try node.string()
            guard queues.contains(where: { $0.name == defaultQueue }) else {
                throw node.error("no queue is named '\(defaultQueue)' (queues: \(queues.map(\.name).joined(separator: ", ")))")
            }
        } else if queues.count == 1 {
            defaultQueue = queues[0].name
        } else if queues.contains(where: { $0.name == "default" }) {
            defaultQueue = "default"
        } else {
            throw ConfigError("default_queue", "required when there are several queues", line: document["queues"]?.line)
        }

        var roles: [ExecRoleConfig] = []
        if let node = document["roles"] {
            for (name, value) in try node.orderedMapping() {
                let fields = try value.mapping(allowed: ["exec", "timeout_s", "schema"])
                guard let exec = fields["exec"] else { throw value.error("missing 'exec' (the plugin's argv)") }
                var argv: [String] = []
                for item in try exec.sequence() { argv.append(try item.string()) }
                guard let program = argv.first, !program.isEmpty else { throw exec.error("name the program to run") }
                var resolved = argv
                if program.contains("/") && !program.hasPrefix("/") {
                    resolved[0] = baseDirectory.appendingPathComponent(program).standardizedFileURL.path
                }
                let timeout = try fields["timeout_s"].map { node throws(ConfigError) in try node.seconds() } ?? .seconds(30)
                let schema = try fields["schema"].map { node throws(ConfigError) in try node.payloadSchema(relativeTo: baseDirectory) }
                roles.append(ExecRoleConfig(name: name, argv: resolved, timeout: timeout, schema: schema))
            }
        }
        var config = GhostConfig(http: http, defaultQueue: defaultQueue, queues: queues, roles: roles, origin: "")
        if let node = document["log"] { config.log = try logSection(node) }
        if let node = document["alerts"] { config.alerts = try alertsSection(node, environment: environment) }
        if let node = document["store"] { config.store = try storeSection(node, environment: environment) }
        if let node = document["node"] { config.node = try nodeName(node) }
        if config.store == nil, let owned = queues.first(where: { $0.owner != nil }) {
            throw ConfigError(
                "queues.\(owned.name).owner",
                "an owner means a shared store: add store: {postgres: {url_env: ...}}",
                line: queueNodes[owned.name]?.line
            )
        }
        return config
    }

    /// Secrets shorter than this are refused for a host reachable beyond loopback.
    static let minimumSecretBytes = 32

    /// `limits: {max_file_bytes, regex_ms, crash_retries}`, over `base` (the top-level section, for a queue's).
    static func limitsSection(_ node: Entry, base: (PatchLimits, Int)) throws(ConfigError) -> (PatchLimits, Int) {
        let fields = try node.mapping(allowed: ["max_file_bytes", "regex_ms", "crash_retries"])
        var (limits, crashRetries) = base
        if let value = fields["max_file_bytes"] { limits.maxFileBytes = try value.int(in: 1...(4 << 30)) }
        if let value = fields["regex_ms"] { limits.regexMilliseconds = try value.int(in: 1...600_000) }
        if let value = fields["crash_retries"] { crashRetries = try value.int(in: 1...100) }
        return (limits, crashRetries)
    }

    /// Web origins: `scheme://host[:port]`, nothing after.
    private static func origins(_ node: Entry) throws(ConfigError) -> [String] {
        var result: [String] = []
        for item in try node.sequence() {
            let text = try item.string()
            let parts = text.components(separatedBy: "://")
            guard parts.count == 2, ["http", "https"].contains(parts[0].lowercased()), !parts[1].isEmpty,
                !parts[1].dropLast(parts[1].hasSuffix("/") ? 1 : 0).contains("/")
            else {
                throw item.error("an origin is scheme://host[:port], such as https://app.example")
            }
            result.append(text)
        }
        return result
    }

    static func shellPolicy(_ node: Entry) throws(ConfigError) -> ShellPolicy {
        if let enabled = node.node.bool { return ShellPolicy(enabled: enabled) }
        let fields = try node.mapping(allowed: ["allow", "timeout_s", "env", "env_allow", "path"])
        var policy = ShellPolicy(enabled: true)
        if let allow = fields["allow"] {
            for item in try allow.sequence() {
                let pattern = try item.string()
                do throws(ApplyError) {
                    _ = try CompiledPattern(pattern)
                } catch {
                    throw item.error("not a valid PCRE2 pattern: \(error.message)")
                }
                policy.allow.append(pattern)
            }
        }
        if let timeout = fields["timeout_s"] { policy.timeout = try timeout.seconds() }
        if let env = fields["env"] {
            for (key, value) in try env.orderedMapping() { policy.environment[key] = try value.string() }
        }
        if let names = fields["env_allow"] { policy.environmentAllow = try names.strings() }
        if let path = fields["path"] {
            let text = try path.string()
            guard !text.isEmpty, text.split(separator: ":").allSatisfy({ $0.hasPrefix("/") }) else {
                throw path.error("shell.path lists absolute folders separated by ':'")
            }
            policy.searchPath = text
        }
        return policy
    }

    /// `token` or `token_env` (the name of an environment variable holding it), not both.
    static func secret(_ fields: [String: Entry], _ key: String, environment: [String: String]) throws(ConfigError) -> String? {
        if let direct = fields[key] {
            if fields[key + "_env"] != nil { throw direct.error("give \(key) or \(key)_env, not both") }
            let value = try direct.string()
            guard !value.isEmpty else { throw direct.error("must not be empty") }
            return value
        }
        guard let variable = fields[key + "_env"] else { return nil }
        let name = try variable.string()
        guard let value = environment[name], !value.isEmpty else { throw variable.error("environment variable \(name) is not set") }
        return value
    }

    /// Two queues sharing a folder or a workspace would apply patches to the same files from two executors.
    private static func checkDistinct(_ queues: [QueueConfig], _ node: Entry?) throws(ConfigError) {
        for (index, queue) in queues.enumerated() {
            for other in queues[..<index] {
                if queue.directory.path == other.directory.path {
                    throw ConfigError("queues.\(queue.name).dir", "the same folder as queue \(other.name)", line: node?.line)
                }
                let (mine, theirs) = (ConfigSafety.realPath(queue.workspace.path), ConfigSafety.realPath(other.workspace.path))
                if mine == theirs {
                    throw ConfigError(
                        "queues.\(queue.name).workspace",
                        "the same workspace as queue \(other.name) (\(mine)); two queues must not write to one workspace",
                        line: node?.line
                    )
                }
                if ConfigSafety.isInside(mine, theirs) || ConfigSafety.isInside(theirs, mine) {
                    throw ConfigError(
                        "queues.\(queue.name).workspace",
                        "\(mine) and queue \(other.name)'s workspace \(theirs) are nested; each workspace needs one writer, so "
                            + "give the queues separate folders",
                        line: node?.line
                    )
                }
            }
        }
    }
}

/// A YAML node with its key path, so every error can say where it is.
struct Entry {
    let node: Node
    let path: String

    var line: Int? { node.mark.map { $0.line } }

    func error(_ message: String) -> ConfigError { ConfigError(path, message, line: line) }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func orderedMapping() throws(ConfigError) -> [(String, Entry)] {
        guard let mapping = node.mapping else { throw error("expected a mapping of keys to values") }
        var result: [(String, Entry)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { throw error("keys must be plain strings") }
            result.append((name, Entry(node: value, path: child(name))))
        }
        return result
    }

    func mapping(allowed: Set<String>) throws(ConfigError) -> [String: Entry] {
        var result: [String: Entry] = [:]
        for (key, value) in try orderedMapping() {
            guard allowed.contains(key) else {
                throw ConfigError(value.path, "unknown key; expected one of: \(allowed.sorted().joined(separator: ", "))", line: value.line)
            }
            result[key] = value
        }
        return result
    }

    func sequence() throws(ConfigError) -> [Entry] {
        guard let sequence = node.sequence else { throw error("expected a list") }
        return sequence.enumerated().map { Entry(node: $1, path: "\(path)[\($0)]") }
    }

    func strings() throws(ConfigError) -> [String] {
        var result: [String] = []
        for item in try sequence() { result.append(try item.string()) }
        return result
    }

    func string() throws(ConfigError) -> String {
        guard let scalar = node.scalar else { throw error("expected a string") }
        return scalar.string
    }

    func bool() throws(ConfigError) -> Bool {
        guard let value = node.bool else { throw error("expected true or false") }
        return value
    }

    func int(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let value = node.int else { throw error("expected a whole number") }
        guard range.contains(value) else { throw error("must be between \(range.lowerBound) and \(range.upperBound)") }
        return value
    }

    func seconds() throws(ConfigError) -> Duration {
        guard let value = node.float, value > 0, value <= 86_400 else { throw error("expected a number of seconds above 0") }
        return .seconds(value, atMost: .seconds(86_400))
    }

    /// A payload schema written inline (YAML or JSON) or as the path of a JSON file.
    func payloadSchema(relativeTo base: URL) throws(ConfigError) -> PayloadSchema {
        var document: JSONValue
        if node.mapping == nil, node.scalar != nil {
            let file = try path(relativeTo: base)
            guard let bytes = FileManager.default.contents(atPath: file.path) else { throw error("cannot read the schema file \(file.path)") }
            do {
                document = try JSONParser.parse(Array(bytes))
            } catch {
                throw self.error("the schema file \(file.path) is not JSON: \(error)")
            }
        } else {
            document = try json()
        }
        do {
            return try PayloadSchema(document)
        } catch {
            throw self.error(error.message)
        }
    }

    /// The node as JSON: YAML's resolved scalars (null, booleans, numbers) as JSON's, other scalars as strings.
    func json() throws(ConfigError) -> JSONValue {
        if node.mapping != nil {
            var object: [String: JSONValue] = [:]
            for (key, value) in try orderedMapping() { object[key] = try value.json() }
            return .object(object)
        }
        if node.sequence != nil {
            var array: [JSONValue] = []
            for item in try sequence() { array.append(try item.json()) }
            return .array(array)
        }
        switch Tag.Name(rawValue: node.tag.rawValue) {
        case .null: return .null
        case .bool: return try .bool(bool())
        case .int, .float:
            guard let value = node.float else { throw error("expected a number") }
            return .number(value)
        default: return .string(try string())
        }
    }

    func path(relativeTo base: URL) throws(ConfigError) -> URL {
        var text = try string()
        guard !text.isEmpty else { throw error("must not be empty") }
        if text == "~" || text.hasPrefix("~/") {
            text = FileManager.default.homeDirectoryForCurrentUser.path + text.dropFirst()
        }
        return URL(fileURLWithPath: text, relativeTo: base).standardizedFileURL
    }
}
