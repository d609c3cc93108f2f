public import ApplierAPI

/// `license_header`: puts a license header at the top of the target file unless it is already there.
///
/// Payload: `{"header": "// SPDX-License-Identifier: MIT\n"}`. A file that already starts with the
/// header is `unchanged`; a missing file is created holding just the header.
public struct LicenseHeaderApplier: ContentApplier {
    /// `license_header`, from this example package.
    public let descriptor = RoleDescriptor(
        name: "license_header",
        summary: "add {header} at the top of the file unless it is there",
        origin: "Examples/CustomApplier"
    )

    /// The applier.
    public init() {}

    /// Prepends the header when the file lacks it.
    public func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
        let header = Array(try operation.requiredString("header").utf8)
        guard !header.isEmpty else { throw ApplyError(.invalidPatch, "license_header needs a non-empty 'header'") }
        guard let path = files.targetPath else { throw ApplyError(.invalidPatch, "license_header needs a 'target_file'") }
        let current = files.target?.bytes ?? []
        if current.starts(with: header) { return ContentResult(changes: [], details: ["note": "header already present"]) }
        return ContentResult(changes: [FileChange(path: path, action: .write(header + current, mode: nil))])
    }
}
