/// The version `ghost --version` and `ghost version` print.
enum GhostVersion {
    /// The release this source tree builds.
    static let current = "0.8.0"
}
