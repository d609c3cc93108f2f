import ApplierAPI
import Foundation
import GhostTesting

/// git and GNU patch, run on files in a temporary folder: to make real diffs and to compare outcomes. Each
/// runs on a thread of its own (``onThread(_:)``), so waiting for a child process never holds a thread of
/// the cooperative pool other tests need.
enum DiffTools {
    /// What a tool printed and how it exited.
    struct Output {
        /// Exit status.
        var status: Int32
        /// Standard output.
        var text: String
    }

    /// A fresh temporary folder.
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ghost-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `arguments` (the first is the program, found on PATH) in `folder`, feeding `input` on stdin
    /// (through ``ChildProcess``, not Foundation's `Process`).
    @discardableResult
    static func run(_ arguments: [String], in folder: URL, input: String? = nil) throws -> Output {
        let ended = try ChildProcess.run(arguments[0], Array(arguments.dropFirst()), in: folder.path, stdin: Array((input ?? "").utf8))
        return Output(status: ended.status, text: String(decoding: ended.stdout, as: UTF8.self))
    }

    /// Writes `files` below `folder` (creating folders), with their modes.
    static func write(_ files: [String: FileContent], to folder: URL) throws {
        for (path, file) in files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.bytes).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: Int(file.mode)], ofItemAtPath: url.path)
        }
    }

    /// Every regular file below `folder` but `.git`, with its mode.
    static func read(_ folder: URL) throws -> [String: FileContent] {
        var files: [String: FileContent] = [:]
        let root = folder.resolvingSymlinksInPath().path
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return files }
        for case let url as URL in enumerator {
            let path = String(url.resolvingSymlinksInPath().path.dropFirst(root.count + 1))
            var isFolder: ObjCBool = false
            guard !path.hasPrefix(".git"), FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue else {
                continue
            }
            let mode = (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) ?? 0o644
            files[path] = FileContent(bytes: [UInt8](try Data(contentsOf: url)), mode: UInt16(mode & 0o777))
        }
        return files
    }

    private static let git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "core.autocrlf=false", "-c", "init.defaultBranch=main"]

    /// The `git diff` that takes `old` to `new` (renames detected), made in a repository in a temporary folder.
    static func gitDiff(from old: [String: FileContent], to new: [String: FileContent]) async throws -> String {
        try await onThread { try gitDiffBlocking(from: old, to: new) }
    }

    private static func gitDiffBlocking(from old: [String: FileContent], to new: [String: FileContent]) throws -> String {
        let repository = try folder()
        defer { try? FileManager.default.removeItem(at: repository) }
        try run(git + ["init", "-q"], in: repository)
        try write(old, to: repository)
        try run(git + ["add", "-A"], in: repository)
        try run(git + ["commit", "-q", "--allow-empty", "-m", "old"], in: repository)
        for path in old.keys where new[path] == nil { try FileManager.default.removeItem(at: repository.appendingPathComponent(path)) }
        try write(new, to: repository)
        try run(git + ["add", "-A"], in: repository)
        return try run(git + ["diff", "--cached", "-M"], in: repository).text
    }

    /// The files `tool` (`git apply` or GNU `patch`) makes of `old` with `diff`, or `nil` when it refuses.
    static func applied(_ diff: String, to old: [String: FileContent], with tool: [String]) async throws -> [String: FileContent]? {
        try await onThread { try appliedBlocking(diff, to: old, with: tool) }
    }

    private static func appliedBlocking(_ diff: String, to old: [String: FileContent], with tool: [String]) throws -> [String: FileContent]? {
        let work = try folder()
        defer { try? FileManager.default.removeItem(at: work) }
        try write(old, to: work)
        guard try run(tool, in: work, input: diff).status == 0 else { return nil }
        return try read(work).filter { !$0.key.hasSuffix(".orig") && !$0.key.hasSuffix(".rej") }
    }
}
