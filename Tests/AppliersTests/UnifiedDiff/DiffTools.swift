import ApplierAPI
import Foundation
import GhostTesting
import Glibc

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

    /// Why a tool could not be started.
    struct SpawnError: Error {
        /// The `errno` of the failed call.
        var code: Int32
    }

    /// Runs `arguments` (the first is the program, found on PATH by `env`) in `folder`, feeding `input` on stdin.
    ///
    /// Through `posix_spawnp`, not Foundation's `Process`: with this suite's processes starting while the CLI
    /// tests start theirs through `Process` on other threads, the full run crashed inside `Process.run()`.
    @discardableResult
    static func run(_ arguments: [String], in folder: URL, input: String? = nil) throws -> Output {
        var stdin: [Int32] = [-1, -1]
        var stdout: [Int32] = [-1, -1]
        guard pipe(&stdin) == 0, pipe(&stdout) == 0 else { throw SpawnError(code: errno) }
        // Not inherited by children other threads start; dup2 below clears the flag on the child's 0 and 1.
        for end in stdin + stdout { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdout[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Nothing else of this process reaches the tool: a socket another test holds open (to free a port
        // later) must not stay open in a git child.
        let open = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
        for descriptor in open where descriptor > 2 { posix_spawn_file_actions_addclose(&actions, descriptor) }
        // `env -C` changes folder in the child (posix_spawn_file_actions_addchdir_np is not imported).
        var argv: [UnsafeMutablePointer<CChar>?] = (["env", "-C", folder.path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, &argv, environ)
        close(stdin[0])
        close(stdout[1])
        guard spawned == 0 else {
            close(stdin[1])
            close(stdout[0])
            throw SpawnError(code: spawned)
        }
        let bytes = Array((input ?? "").utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(stdin[1], $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            written += count
        }
        close(stdin[1])
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(stdout[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            output += buffer[..<count]
        }
        close(stdout[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, which Swift does not import as functions.
        let exited = status & 0x7F == 0
        return Output(status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), text: String(decoding: output, as: UTF8.self))
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
