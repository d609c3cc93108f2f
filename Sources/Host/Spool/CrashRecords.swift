import ApplierAPI
import Foundation

/// A queue's record of host deaths (`.ghost/crashes.json`, see ``PoisonPolicy``): written and fsynced at
/// start and at a clean shutdown only, never per patch.
///
/// `{"running": true, "deaths": [{"seq": 4, "id": "p", "deaths": 1}], "suspects": [{"seq": 4, "id": "p"}]}`,
/// replaced whole (temp file, `fsync`, `rename`, folder `fsync`), so it is always one version or the other.
struct CrashStateFile: Sendable {
    /// The file.
    let url: URL

    /// The saved state; an empty one (not running) when there is none or it cannot be read.
    func load() -> PoisonPolicy.CrashState {
        guard let data = FileManager.default.contents(atPath: url.path), let object = try? JSONParser.parse(Array(data)) else {
            return PoisonPolicy.CrashState()
        }
        var state = PoisonPolicy.CrashState(running: object["running"]?.boolValue ?? false)
        for entry in object["deaths"]?.arrayValue ?? [] {
            guard let key = Self.key(entry), let count = entry["deaths"]?.doubleValue else { continue }
            state.deaths[key] = Int(count)
        }
        state.suspects = (object["suspects"]?.arrayValue ?? []).compactMap(Self.key)
        return state
    }

    /// Replaces the saved state durably.
    func save(_ state: PoisonPolicy.CrashState) throws(ApplyError) {
        let deaths = state.deaths.sorted { $0.key < $1.key }.map { key, count -> JSONValue in
            ["seq": .number(Double(key.sequence)), "id": .string(key.id), "deaths": .number(Double(count))]
        }
        let object: JSONValue = [
            "running": .bool(state.running),
            "deaths": .array(deaths),
            "suspects": .array(state.suspects.map(Self.json)),
        ]
        var bytes = object.serializedBytes
        bytes.append(UInt8(ascii: "\n"))
        let temp = url.path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw ApplyError.system("cannot create \(temp)") }
        func fill() throws(ApplyError) {
            defer { close(fd) }
            try Workspace.writeAll(fd, bytes, name: url.lastPathComponent)
            guard fsync(fd) == 0 else { throw ApplyError.system("fsync of \(temp) failed") }
        }
        try fill()
        guard rename(temp, url.path) == 0 else { throw ApplyError.system("cannot rename \(temp)") }
        try Spool.syncFolder(url.deletingLastPathComponent())
    }

    /// A patch as these files name it: `{"seq": N, "id": "..."}`.
    static func json(_ key: PoisonPolicy.PatchKey) -> JSONValue {
        ["seq": .number(Double(key.sequence)), "id": .string(key.id)]
    }

    /// The patch `value` names, when it is whole.
    static func key(_ value: JSONValue) -> PoisonPolicy.PatchKey? {
        guard let sequence = value["seq"]?.doubleValue, sequence >= 0, let id = value["id"]?.stringValue else { return nil }
        return PoisonPolicy.PatchKey(sequence: UInt64(sequence), id: id)
    }
}

/// "The executor has started this patch" (`.ghost/applying`): written durably before each suspect patch
/// (``PoisonPolicy``) is applied, so a death during it, even before any intent record, names it at the next
/// start. Never written in normal operation, so the hot path has no extra `fsync`.
struct ApplyingMarker: Sendable {
    /// The file.
    let url: URL

    /// Creates the file if missing, durably, so that each ``mark(_:)`` needs only an `fdatasync`.
    func prepare() throws(ApplyError) {
        guard !FileManager.default.fileExists(atPath: url.path) else { return }
        let fd = open(url.path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw ApplyError.system("cannot create \(url.path)") }
        close(fd)
        try Spool.syncFolder(url.deletingLastPathComponent())
    }

    /// The patch named, when the file holds one whole record.
    func read() -> PoisonPolicy.PatchKey? {
        guard let data = FileManager.default.contents(atPath: url.path), !data.isEmpty,
            let value = try? JSONParser.parse(Array(data))
        else { return nil }
        return CrashStateFile.key(value)
    }

    /// Names `key` and returns once that is on disk.
    func mark(_ key: PoisonPolicy.PatchKey) throws(ApplyError) {
        var bytes = CrashStateFile.json(key).serializedBytes
        bytes.append(UInt8(ascii: "\n"))
        let fd = open(url.path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw ApplyError.system("cannot open \(url.path)") }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard written == bytes.count else { throw ApplyError.system("cannot write \(url.path)") }
        guard ftruncate(fd, off_t(bytes.count)) == 0 else { throw ApplyError.system("cannot truncate \(url.path)") }
        guard fdatasync(fd) == 0 else { throw ApplyError.system("fdatasync of \(url.path) failed") }
    }

    /// Empties the file (not synced: a stale name belongs to a filed patch and is ignored).
    func clear() { truncate(url.path, 0) }
}
