import ApplierAPI

/// Applies the file patches of one diff or Codex patch as one change: every file or none. Each patch
/// applies to the files as the ones before it left them (two sections of one file, a file moved then
/// changed); when any fails, the whole operation throws before returning a change.
struct FilePatchSet {
    /// The file patches, in the order the text gives them.
    var patches: [FilePatch]

    /// Every file the patches name (moves' destinations included), each once, in the order first named.
    var paths: [String] {
        var seen: Set<String> = []
        var paths: [String] = []
        for path in patches.flatMap({ [$0.path] + ($0.moveTo.map { [$0] } ?? []) }) where seen.insert(SearchReplacePayload.normalized(path)).inserted
        {
            paths.append(path)
        }
        return paths
    }

    /// The changes, and receipt details: `hunks` (one outcome each) and `files` (what happened to each).
    /// - Parameters:
    ///   - files: The files ``paths`` names, as the host read them.
    ///   - fuzz: How many context lines a hunk may set aside at each end.
    func apply(files: FileSet, fuzz: Int) throws(ApplyError) -> ContentResult {
        // The state of each file by the path the host resolved, and the spelling its change is filed under.
        var state: [String: [UInt8]?] = [:]
        var modes: [String: UInt16] = [:]
        var spelling: [String: String] = [:]
        var order: [String] = []
        for path in paths where spelling[files.resolved(path)] == nil {
            let key = files.resolved(path)
            state[key] = .some((files.files[path] ?? nil)?.bytes)
            if let content = files.files[path] ?? nil { modes[key] = content.mode }
            spelling[key] = path
            order.append(key)
        }
        var outcomes: [JSONValue] = []
        var actions: [JSONValue] = []
        for patch in patches {
            let key = files.resolved(patch.path)
            let current = state[key] ?? nil
            let shown = spelling[key] ?? patch.path
            switch patch.kind {
            case .create:
                let (bytes, done) = try HunkEngine.apply(patch.hunks, to: [], path: shown, fuzz: 0)
                if let current {
                    let same = bytes == current ? " and already holds what it would create (applied before?)" : ""
                    throw ApplyError(.fileExists, "\(patch.label) creates \(shown), which exists\(same); nothing written")
                }
                state[key] = .some(bytes)
                modes[key] = patch.mode ?? 0o644
                outcomes += done.map(\.json)
                actions.append(["path": .string(shown), "action": "created"])
            case .delete(let checked):
                let bytes = try existing(current, patch, shown)
                if checked {
                    let (left, done) = try HunkEngine.apply(patch.hunks, to: bytes, path: shown, fuzz: fuzz)
                    guard left.isEmpty else {
                        throw ApplyError(
                            .noMatch,
                            "\(patch.label) deletes \(shown), but the file holds \(TextLines(left).count) line(s) the diff does not remove: "
                                + "it changed since the diff was made; nothing written"
                        )
                    }
                    outcomes += done.map(\.json)
                }
                state[key] = .some(nil)
                actions.append(["path": .string(shown), "action": "deleted"])
            case .update:
                let bytes = try existing(current, patch, shown)
                let (after, done) = try HunkEngine.apply(patch.hunks, to: bytes, path: shown, fuzz: fuzz)
                outcomes += done.map(\.json)
                var action: [String: JSONValue] = ["path": .string(shown), "action": "updated"]
                var destination = key
                if let moveTo = patch.moveTo, files.resolved(moveTo) != key {
                    destination = files.resolved(moveTo)
                    guard (state[destination] ?? nil) == nil else {
                        throw ApplyError(.fileExists, "\(patch.label) moves \(shown) to \(moveTo), which already exists; nothing written")
                    }
                    state[key] = .some(nil)
                    modes[destination] = modes[key]
                    action["action"] = "moved"
                    action["to"] = .string(spelling[destination] ?? moveTo)
                }
                state[destination] = .some(after)
                if let mode = patch.mode {
                    modes[destination] = mode
                    action["mode"] = .string(FileMode.format(mode))
                }
                actions.append(.object(action))
            }
        }
        let changes = order.compactMap { key in
            let path = spelling[key] ?? key
            return change(path, before: files.files[path] ?? nil, after: state[key] ?? nil, mode: modes[key])
        }
        var details: [String: JSONValue] = ["hunks": .array(outcomes), "files": .array(actions)]
        if changes.isEmpty { details["note"] = "every file already has the patch's result" }
        return ContentResult(changes: changes, details: details)
    }

    /// The bytes of a file the patch needs, checked to be text.
    private func existing(_ bytes: [UInt8]?, _ patch: FilePatch, _ path: String) throws(ApplyError) -> [UInt8] {
        guard let bytes else {
            let before = patch.kind == .update ? "" : " (deleted before?)"
            throw ApplyError(
                .fileNotFound,
                "\(patch.label) \(patch.kind == .update ? "changes" : "deletes") \(path), which does not exist\(before); nothing written"
            )
        }
        try TextChecks.requireText(FileContent(bytes: bytes), path: path)
        return bytes
    }

    /// The change that takes one file from `before` to `after` (`nil`: absent), with the permission bits `mode`.
    private func change(_ path: String, before: FileContent?, after: [UInt8]?, mode: UInt16?) -> FileChange? {
        guard let after else { return before == nil ? nil : FileChange(path: path, action: .delete) }
        guard let before else { return FileChange(path: path, action: .write(after, mode: mode)) }
        if before.bytes != after { return FileChange(path: path, action: .write(after, mode: mode == before.mode ? nil : mode)) }
        guard let mode, mode != before.mode else { return nil }
        return FileChange(path: path, action: .setMode(mode))
    }
}
