package import ApplierAPI

/// A shell step's payload: a command line, or `{run | argv, cwd, timeout_s, env, idempotent}`.
package struct ShellCommand: Sendable, Hashable {
    /// What to execute: `["/bin/sh", "-c", line]` for a command line, else the argv as given.
    package var argv: [String]
    /// The command as shown in receipts.
    package var display: String
    /// The command line as written (`nil` for an `argv` step).
    package var line: String?
    /// Working directory relative to the workspace (`nil`: the workspace itself).
    package var cwd: String?
    /// The step's own time limit, if shorter than the policy's.
    package var timeout: Duration?
    /// Extra environment variables for this step.
    package var environment: [String: String]
    /// True when running the step twice is harmless (a crash mid-step may then re-run it).
    package var idempotent: Bool

    /// Parses a payload.
    /// - Throws: ``Reason/invalidPatch`` naming the wrong field.
    package init(payload: JSONValue) throws(ApplyError) {
        cwd = nil
        timeout = nil
        environment = [:]
        idempotent = false
        line = nil
        switch payload {
        case .string(let line):
            guard line.contains(where: { !$0.isWhitespace }) else { throw ApplyError(.invalidPatch, "shell command is empty") }
            argv = ["/bin/sh", "-c", line]
            display = line
            self.line = line
        case .object(let members):
            if let line = members["run"]?.stringValue {
                argv = ["/bin/sh", "-c", line]
                display = line
                self.line = line
            } else if let list = members["argv"]?.arrayValue {
                let strings = list.compactMap(\.stringValue)
                guard !strings.isEmpty, strings.count == list.count else {
                    throw ApplyError(.invalidPatch, "shell 'argv' must be a non-empty array of strings")
                }
                argv = strings
                display = strings.joined(separator: " ")
            } else {
                throw ApplyError(.invalidPatch, "shell step needs 'run' (a command line) or 'argv' (an array of strings)")
            }
            if let value = members["cwd"], value != .null {
                guard let text = value.stringValue else { throw ApplyError(.invalidPatch, "shell 'cwd' must be a string") }
                let components = text.split(separator: "/")
                guard !text.hasPrefix("/"), !components.contains("..") else {
                    throw ApplyError(.pathOutsideWorkspace, "shell 'cwd' \(text) must be a folder inside the workspace")
                }
                cwd = text
            }
            if let value = members["timeout_s"], value != .null {
                guard let seconds = value.doubleValue, seconds > 0 else {
                    throw ApplyError(.invalidPatch, "shell 'timeout_s' must be a positive number")
                }
                // Beyond a year is "no shorter than the policy's".
                timeout = .seconds(seconds, atMost: .seconds(31_536_000))
            }
            if let value = members["env"], value != .null {
                guard let object = value.objectValue else { throw ApplyError(.invalidPatch, "shell 'env' must be an object of strings") }
                for (key, entry) in object {
                    guard let text = entry.stringValue else { throw ApplyError(.invalidPatch, "shell env '\(key)' must be a string") }
                    environment[key] = text
                }
            }
            idempotent = members["idempotent"]?.boolValue ?? false
        default:
            throw ApplyError(.invalidPatch, "a shell step is a command string or an object, not \(payload.typeName)")
        }
    }

    /// The text the allow list must match as a whole: the command line as written, or an `argv` step's
    /// words quoted as ``CommandLineWords/quoted(_:)`` quotes them (`["printf", "a b"]` is `printf 'a b'`).
    package var allowListText: String { line ?? CommandLineWords.quoted(argv) }

    /// What runs under an allow list, without a shell: the command line's words, or the `argv` as given.
    /// - Throws: ``Reason/shellNotAllowed`` for a line a shell would read as more than one simple command.
    package func words() throws(ApplyError) -> [String] {
        guard let line else { return argv }
        return try CommandLineWords(line).words
    }
}
