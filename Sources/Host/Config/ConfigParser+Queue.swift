import ApplierAPI
import Foundation

extension ConfigParser {
    /// One entry of `queues:`, over the top-level `limits` and `retention`.
    static func queue(
        _ name: String,
        _ node: Entry,
        baseDirectory: URL,
        environment: [String: String],
        limits: (PatchLimits, Int),
        retention: RetentionPolicy
    ) throws(ConfigError) -> QueueConfig {
        let fields = try node.mapping(allowed: [
            "dir", "workspace", "aliases", "shell", "limits", "token", "token_env", "hmac_secret", "hmac_secret_env", "retention",
            "create_workspace", "owner",
        ])
        guard let dir = fields["dir"] else { throw node.error("missing 'dir' (the queue's inbox folder)") }
        let directory = try dir.path(relativeTo: baseDirectory)
        let workspace = try fields["workspace"].map { node throws(ConfigError) in try node.path(relativeTo: baseDirectory) } ?? baseDirectory
        var aliases: [String] = []
        for item in try fields["aliases"]?.sequence() ?? [] {
            let alias = try item.string()
            guard alias.hasPrefix("/") else { throw item.error("an alias is an absolute path prefix") }
            aliases.append(alias)
        }
        let shell = try fields["shell"].map { node throws(ConfigError) in try shellPolicy(node) } ?? .disabled
        let (queueLimits, crashRetries) = try fields["limits"].map { node throws(ConfigError) in try limitsSection(node, base: limits) } ?? limits
        return QueueConfig(
            name: name,
            directory: directory,
            workspace: workspace,
            aliases: aliases,
            shell: shell,
            limits: queueLimits,
            crashRetries: crashRetries,
            token: try secret(fields, "token", environment: environment),
            hmacSecret: try secret(fields, "hmac_secret", environment: environment),
            retention: try fields["retention"].map { node throws(ConfigError) in try retentionSection(node, base: retention) } ?? retention,
            createWorkspace: try fields["create_workspace"]?.bool() ?? false,
            owner: try fields["owner"].map { node throws(ConfigError) in try nodeName(node) }
        )
    }
}
