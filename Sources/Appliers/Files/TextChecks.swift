import ApplierAPI
import Foundation

/// Checks shared by roles that edit text.
enum TextChecks {
    /// Fails with ``Reason/binaryFile`` when the bytes hold a NUL, which no text file does.
    static func requireText(_ file: FileContent, path: String) throws(ApplyError) {
        // memchr is vectorised: this check runs over every byte of files of any size.
        let hasNUL = file.bytes.withUnsafeBytes { raw in raw.baseAddress.map { memchr($0, 0, raw.count) != nil } ?? false }
        if hasNUL {
            throw ApplyError(.binaryFile, "\(path) holds binary data (a NUL byte); role edits text only, use 'write' with base64")
        }
    }

    /// The file, or ``Reason/fileNotFound`` when it does not exist.
    static func existing(_ files: FileSet, role: String) throws(ApplyError) -> FileContent {
        guard let file = files.target else {
            throw ApplyError(.fileNotFound, "\(files.targetPath ?? "target") does not exist; role '\(role)' edits an existing file")
        }
        return file
    }
}
