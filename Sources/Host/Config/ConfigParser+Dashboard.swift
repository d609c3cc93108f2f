import Transport

extension ConfigParser {
    /// `dashboard: {enabled: true, read_only: false}` (the defaults).
    static func dashboardSection(_ node: Entry) throws(ConfigError) -> DashboardSettings {
        let fields = try node.mapping(allowed: ["enabled", "read_only"])
        var settings = DashboardSettings()
        if let value = fields["enabled"] { settings.enabled = try value.bool() }
        if let value = fields["read_only"] { settings.readOnly = try value.bool() }
        return settings
    }
}
