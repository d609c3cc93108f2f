import ApplierAPI
import ArgumentParser
import Foundation
import Host

/// `ghost apply`: apply patch files (or stdin) to a workspace and print one receipt per patch.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply patches from files or stdin; print one JSON receipt line per patch.",
        discussion: """
            Input: each FILE (or stdin when there is none, or FILE is -) holds one patch, a JSON array
            of patches, or newline-delimited JSON. Each patch is one transaction: every file it changes
            is written atomically, and if any step fails every file is restored.

            Exit status: 0 when every patch is applied, unchanged or a duplicate; 1 when any failed;
            2 for a usage error or a file that cannot be read.

            Examples:
              ghost apply --check fix.json                 show the diff, write nothing
              ghost apply --workspace ~/app fix.json       apply to ~/app
              ghost apply --alias /Users/sawyer/gitSync --workspace ~/gitSync block.json
              cat patches.ndjson | ghost apply --format text
              ghost apply --config ghost.yml --queue CYOPS block.json   the queue's workspace and policy
            """
    )

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("The folder patches may change; paths are relative to it (default: the queue's, else .).", valueName: "dir")
    )
    var workspace: String?

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("A ghost.yml: use its queue's workspace, aliases and shell policy (flags still win).", valueName: "file")
    )
    var config: String?

    @Option(help: ArgumentHelp("With --config: the queue whose settings to use (default: its default queue).", valueName: "name"))
    var queue: String?

    @Option(
        name: .customLong("alias"),
        help: ArgumentHelp("An absolute prefix that means the workspace (repeatable), e.g. /Users/sawyer/gitSync.", valueName: "prefix")
    )
    var aliases: [String] = []

    @Flag(help: "Compute everything and write nothing; receipts carry the unified diff. Shell steps are not run.")
    var check = false

    @Flag(help: "Let shell steps run (off by default: they fail with shell_disabled and nothing runs).")
    var allowShell = false

    @Option(help: ArgumentHelp("Time limit of one shell step, in seconds.", valueName: "seconds"))
    var shellTimeout: Double = 300

    @Option(
        help: ArgumentHelp(
            "The largest file a patch may read or write, in bytes (default: 67108864, 64 MiB); larger fail with limit_exceeded.",
            valueName: "bytes"
        )
    )
    var maxFileBytes: Int?

    @Option(help: "Receipt format: json (one line per patch) or text (for people).")
    var format: OutputFormat = .json

    @Argument(help: ArgumentHelp("Patch files; none or - reads stdin.", valueName: "file"))
    var files: [String] = []

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case json
        case text
    }

    func validate() throws {
        guard shellTimeout > 0 else { throw ValidationError("--shell-timeout must be a positive number of seconds") }
        if let maxFileBytes, maxFileBytes <= 0 { throw ValidationError("--max-file-bytes must be a positive number of bytes") }
    }

    func run() async throws {
        var shellPolicy = ShellPolicy(enabled: allowShell, timeout: .seconds(shellTimeout, atMost: .seconds(31_536_000)))
        var registry = GhostCommand.registry
        var root = workspace ?? "."
        var allAliases = aliases
        var reserved: [String] = []
        var limits = PatchLimits.default
        if let config {
            let settings = try ConfigOption.load(config)
            let name = queue ?? settings.defaultQueue
            guard let queueConfig = settings.queue(named: name) else {
                throw CLIError.usage("--queue: \(settings.origin) has no queue named '\(name)'")
            }
            root = workspace ?? queueConfig.workspace.path
            allAliases = queueConfig.aliases + aliases
            if !allowShell { shellPolicy = queueConfig.shell }
            registry = settings.registry(extending: registry)
            // The host's own files stay off limits when its configuration is applied by hand.
            reserved = settings.reservedPaths(currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            limits = queueConfig.limits
        } else if queue != nil {
            throw CLIError.usage("--queue needs --config")
        }
        let workspaceRoot: Workspace
        do {
            workspaceRoot = try Workspace(root: root, aliases: allAliases, reserved: reserved)
        } catch {
            throw CLIError.usage("--workspace: \(error.message)")
        }
        if let maxFileBytes { limits.maxFileBytes = maxFileBytes }
        let options = RunOptions(checkOnly: check, shellPolicy: shellPolicy, source: files.isEmpty ? .stdin : .file, limits: limits)
        var inputs: [(name: String, bytes: [UInt8])] = []
        for file in files.isEmpty ? ["-"] : files {
            do {
                inputs.append((file, try Self.read(file)))
            } catch {
                throw CLIError.usage("cannot read \(file): \(error.localizedDescription)")
            }
        }
        let runner = PatchRunner(registry: registry)
        var anyFailed = false
        for input in inputs {
            for item in PatchInput.split(input.bytes, limits: options.limits) {
                let receipt: Receipt
                switch item {
                case .document(let document, _):
                    do {
                        let patch = try Patch.parse(document, limits: options.limits)
                        receipt = await runner.run(patch, in: workspaceRoot, options: options)
                    } catch {
                        receipt = Receipt.rejected(document: document, error: error, options: options)
                    }
                case .invalid(let error):
                    receipt = Receipt.rejected(document: nil, error: error, options: options)
                }
                anyFailed = anyFailed || !receipt.succeeded
                print(format == .json ? receipt.json.serialized : receipt.text)
            }
        }
        if anyFailed { throw ExitCode(1) }
    }

    static func read(_ file: String) throws -> [UInt8] {
        if file == "-" { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
    }
}

/// Errors the command line reports and exits 2 for.
enum CLIError: Error, CustomStringConvertible {
    case usage(String)

    var description: String {
        switch self {
        case .usage(let message): message
        }
    }
}
