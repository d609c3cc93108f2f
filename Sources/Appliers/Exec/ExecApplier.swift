package import ApplierAPI
import Foundation

/// A role served by an external program: the exec plugin protocol, version 1.
///
/// The host writes one JSON object to the plugin's stdin and closes it:
/// `{"protocol": 1, "patch": <the envelope as received>, "workspace": "<absolute path>",
///   "files": {"<target_file>": "<current text>" | null}}`.
/// The plugin writes one JSON object to stdout and exits 0: `{"files": {"<path>": "<new text>" | null}}`
/// (`null` deletes) or `{"error": {"code": "...", "message": "..."}}`. The host applies the returned
/// files as one transaction under every safety rule; the plugin itself writes nothing.
package struct ExecApplier: ContentApplier {
    /// The role, with the program as its origin.
    package let descriptor: RoleDescriptor
    /// The program and its arguments.
    package let argv: [String]
    /// How long one run may take before the plugin (and its process group) is killed.
    package let timeout: Duration
    /// The largest answer read from the plugin's stdout.
    package let maxOutputBytes: Int
    /// The payload's schema from the configuration, checked at intake.
    package let schema: PayloadSchema?

    /// A plugin role `name` run as `argv`, its payload checked against `schema` when there is one.
    package init(name: String, argv: [String], timeout: Duration = .seconds(30), maxOutputBytes: Int = 64 << 20, schema: PayloadSchema? = nil) {
        self.descriptor = RoleDescriptor(
            name: name,
            summary: "exec plugin: \(argv.joined(separator: " "))",
            origin: "exec: \(argv.first ?? "")",
            payloadSchema: schema?.document,
            targetFile: .optional
        )
        self.argv = argv
        self.timeout = timeout
        self.maxOutputBytes = maxOutputBytes
        self.schema = schema
    }

    /// Refuses, before the patch is accepted, a payload that breaks the role's configured schema, listing
    /// each violation with its place.
    package func validate(_ operation: PatchOperation) throws(ApplyError) {
        guard let schema else { return }
        let violations = schema.violations(of: operation.payload)
        guard violations.isEmpty else {
            throw ApplyError(
                .invalidPatch,
                "the payload does not match role \(descriptor.name)'s schema (roles.\(descriptor.name).schema): \(violations.joined(separator: "; "))"
            )
        }
    }

    /// The target, when the patch names one; a plugin may also work without any.
    package func inputPaths(for operation: PatchOperation) throws(ApplyError) -> [String] {
        operation.target.map { [$0] } ?? []
    }

    /// Runs the plugin and turns its answer into file changes.
    package func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
        var current: [String: JSONValue] = [:]
        for (path, content) in files.files {
            guard let content else {
                current[path] = .null
                continue
            }
            guard let text = String(validating: content.bytes, as: UTF8.self) else {
                throw ApplyError(.notUTF8, "\(path) is not UTF-8 text; exec plugins exchange text")
            }
            current[path] = .string(text)
        }
        let request: JSONValue = [
            "protocol": 1,
            "patch": context.patch.envelope,
            "workspace": .string(context.workspace),
            "files": .object(current),
        ]
        let runner = ProcessRunner(outputLimit: maxOutputBytes + 1, keepHead: true)
        var environment = ProcessInfo.processInfo.environment.filter { ["PATH", "HOME", "LANG"].contains($0.key) }
        var argv = self.argv
        if let program = argv.first, !program.contains("/") {
            // As for shell steps: never a program a patch could have written, through a PATH entry inside the
            // workspace (direnv's `PATH_add bin`, `$PWD/node_modules/.bin`) or a relative one.
            let search = ProgramSearch(path: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", workspace: context.workspace)
            do throws(ApplyError) {
                argv[0] = try search.locate(program, directory: context.workspace)
            } catch {
                throw failure("cannot be started: \(error.message)")
            }
            environment["PATH"] = search.pathValue
        }
        let outcome = try await runner.run(
            argv,
            environment: environment,
            workingDirectory: context.workspace,
            input: request.serializedBytes,
            timeout: timeout
        )
        let answer = try parse(outcome)
        if let error = answer["error"] {
            let code = error["code"]?.stringValue ?? Reason.pluginError.rawValue
            throw ApplyError(Reason(code), "plugin \(descriptor.name): \(error["message"]?.stringValue ?? "failed without a message")")
        }
        guard let returned = answer["files"]?.objectValue else {
            throw failure("answered without a \"files\" object or an \"error\" object")
        }
        var changes: [FileChange] = []
        for (path, value) in returned.sorted(by: { $0.key < $1.key }) {
            switch value {
            case .null:
                if current[path] == .null { continue }
                changes.append(FileChange(path: path, action: .delete))
            case .string(let text):
                changes.append(FileChange(path: path, action: .write(Array(text.utf8), mode: nil)))
            default:
                throw failure("gave \(value.typeName) for \(path); expected a string or null")
            }
        }
        return ContentResult(changes: changes, details: ["plugin": .string(argv.first ?? "")])
    }

    private func parse(_ outcome: ProcessRunner.Outcome) throws(ApplyError) -> JSONValue {
        let stderr = String(decoding: outcome.stderr.suffix(2048), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let said = stderr.isEmpty ? "" : "; stderr: \(stderr)"
        if outcome.timedOut {
            throw ApplyError(.timeout, "plugin \(descriptor.name) (\(argv[0])) was killed after \(timeout)\(said)")
        }
        if let signal = outcome.signal { throw failure("was killed by signal \(signal)\(said)") }
        if outcome.exitCode != 0 { throw failure("exited with status \(outcome.exitCode.map(String.init) ?? "?")\(said)") }
        if outcome.stdoutOverflowed || outcome.stdout.count > maxOutputBytes {
            throw failure("answered more than \(maxOutputBytes) bytes")
        }
        let answer: JSONValue
        do throws(JSONParseError) {
            answer = try JSONParser.parse(outcome.stdout)
        } catch {
            throw failure("answered something that is not JSON (\(error))\(said)")
        }
        guard answer.objectValue != nil else { throw failure("answered \(answer.typeName), not a JSON object") }
        return answer
    }

    private func failure(_ what: String) -> ApplyError {
        ApplyError(.pluginError, "plugin \(descriptor.name) (\(argv[0])) \(what)")
    }
}
