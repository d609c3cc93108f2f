import Logging

extension ConfigParser {
    /// `log: {format: text|json, level: trace|debug|info|notice|warning|error|critical}`.
    static func logSection(_ node: Entry) throws(ConfigError) -> LogSettings {
        let fields = try node.mapping(allowed: ["format", "level"])
        var settings = LogSettings()
        if let value = fields["format"] {
            let text = try value.string()
            guard let format = LogSettings.Format(rawValue: text) else { throw value.error("expected text or json") }
            settings.format = format
        }
        if let value = fields["level"] {
            let text = try value.string()
            guard let level = Logger.Level(rawValue: text) else {
                throw value.error("expected one of: \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            settings.level = level
        }
        return settings
    }
}
