import ApplierAPI

/// The files an applied patch changed, as they were before it: what a revert writes back. Built from the
/// transaction's originals when the receipt is made, kept compressed under `.ghost/before/` (see
/// ``BeforeImageStore``), bounded by ``RetentionPolicy/beforeImageBytes``.
struct BeforeImages: Sendable, Equatable {
    /// One file as it was before the patch.
    struct Image: Sendable, Equatable {
        /// The path below the workspace root, as in the receipt.
        var path: String
        /// Permission bits before the patch.
        var mode: UInt16
        /// SHA-256 of ``bytes`` (the receipt's `before_sha256`).
        var sha256: String
        /// Every byte of the file.
        var bytes: [UInt8]
    }

    /// Files that existed before the patch and that it changed (a file it created needs no image).
    var images: [Image] = []
    /// The first file whose image was not kept because the patch's images would pass the bound, and the
    /// bytes they would have taken: such a patch cannot be reverted.
    var overLimit: (path: String, bytes: Int)?

    static func == (lhs: BeforeImages, rhs: BeforeImages) -> Bool {
        lhs.images == rhs.images && lhs.overLimit?.path == rhs.overLimit?.path && lhs.overLimit?.bytes == rhs.overLimit?.bytes
    }

    /// The images of `files` (path, state before, state after, hash before) that changed, keeping at most
    /// `limit` bytes of file content in all.
    static func capture(_ files: [(path: String, before: FileContent?, after: FileContent?, sha256: String?)], limit: Int) -> BeforeImages {
        var kept = BeforeImages()
        var total = 0
        for file in files where file.before != file.after {
            guard let before = file.before else { continue }
            total += before.bytes.count
            guard total <= limit else {
                kept.images = []
                kept.overLimit = (file.path, total)
                return kept
            }
            kept.images.append(Image(path: file.path, mode: before.mode, sha256: file.sha256 ?? Digest.sha256(before.bytes), bytes: before.bytes))
        }
        return kept
    }

    /// The images as one byte string: a JSON manifest line, then each file's bytes in manifest order.
    var encoded: [UInt8] {
        var manifest: [String: JSONValue] = [
            "files": .array(
                images.map { image in
                    [
                        "path": .string(image.path), "mode": .number(Double(image.mode)), "sha256": .string(image.sha256),
                        "size": .number(Double(image.bytes.count)),
                    ]
                }
            )
        ]
        if let overLimit { manifest["over_limit"] = ["path": .string(overLimit.path), "bytes": .number(Double(overLimit.bytes))] }
        var bytes = JSONValue.object(manifest).serializedBytes
        bytes.append(UInt8(ascii: "\n"))
        for image in images { bytes += image.bytes }
        return bytes
    }

    /// Reads what ``encoded`` wrote; `nil` when it is cut short or not that format.
    init?(encoded bytes: [UInt8]) {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")), let manifest = try? JSONParser.parse(Array(bytes[..<newline])),
            let files = manifest["files"]?.arrayValue
        else { return nil }
        var offset = newline + 1
        for file in files {
            guard let path = file["path"]?.stringValue, let mode = file["mode"]?.doubleValue, let sha256 = file["sha256"]?.stringValue,
                let size = file["size"]?.doubleValue.map(Int.init), size >= 0, bytes.count - offset >= size
            else { return nil }
            images.append(Image(path: path, mode: UInt16(mode), sha256: sha256, bytes: Array(bytes[offset..<offset + size])))
            offset += size
        }
        guard offset == bytes.count else { return nil }
        if let over = manifest["over_limit"], let path = over["path"]?.stringValue, let size = over["bytes"]?.doubleValue {
            overLimit = (path, Int(size))
        }
    }

    /// No images.
    init() {}
}
