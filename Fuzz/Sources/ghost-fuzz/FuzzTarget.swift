@_spi(PCRE2Reference) import ApplierAPI
import Appliers
import Dispatch

/// The roles, built once.
let registry = ApplierRegistry.builtIn()

/// What every content operation is given: a small text file, an empty one, and a JSON file for the JSON roles.
let sampleFiles: [String: FileContent?] = [
    "src/App.tsx": FileContent(bytes: Array("<Text>Old</Text>\r\nconst a = 1;\n// ünïcode ✅\n".utf8)),
    "empty.txt": FileContent(bytes: []),
    "config.json": FileContent(
        bytes: Array("{\n  \"name\": \"app\",\n  \"list\": [1, 2.50, {\"a/b\": null}],\n  \"nested\": {\n    \"x\": true\n  }\n}\n".utf8)
    ),
]

/// Edits made to every input as a JSON file: each place the JSON roles read and write (nested values, an
/// array's end, a merge) on whatever layout the input has.
let jsonEdits: [(role: String, payload: JSONValue)] = [
    ("json_patch", [["op": "add", "path": "/-", "value": ["k": [1, "é"]]], ["op": "copy", "from": "/0", "path": "/0/0"]]),
    ("json_patch", [["op": "replace", "path": "", "value": ["a": [true]]]]),
    ("json_merge_patch", ["merge": ["k": ["n": .null, "m": [1]], "0": .null]]),
]

/// The function libFuzzer calls with each input (through ``LLVMFuzzerRunDriver`` in `main.swift`). One input is fuzzed two ways:
/// 1. as a patch document: `Patch.parse`, then every content operation through its applier;
/// 2. as `pattern \0 replacement \0 flags \0 subject`: one `ui_patch` straight on arbitrary bytes;
/// 3. as a JSON file, edited by ``jsonEdits``.
/// Errors are expected (they are the typed `ApplyError`s); a crash, a trap or a hang is a finding.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var operations: [(PatchOperation, Patch?, FileSet)] = []
    if let patch = try? Patch.parse(json: bytes) {
        for operation in patch.operations {
            let target = operation.target ?? "src/App.tsx"
            var files = sampleFiles
            if files[target] == nil { files[target] = .some(FileContent(bytes: Array("line\n".utf8))) }
            operations.append((operation, patch, FileSet(files: files, targetPath: target)))
        }
    }
    let parts = bytes.split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    if parts.count == 4 {
        let payload: JSONValue = ["pattern": .string(parts[0]), "replacement": .string(parts[1]), "flags": .string(parts[2])]
        let subject = Array(bytes.split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false)[3])
        let operation = PatchOperation(role: "ui_patch", target: "f", payload: payload)
        operations.append((operation, nil, FileSet(files: ["f": FileContent(bytes: subject)], targetPath: "f")))
        checkAgainstPCRE2(pattern: parts[0], replacement: Array(parts[1].utf8), flags: parts[2], subject: subject)
    }
    if bytes.first.map({ [UInt8(ascii: "{"), UInt8(ascii: "["), 0xEF, 0x20, 0x0A].contains($0) }) == true {
        for (role, payload) in jsonEdits {
            let files = FileSet(files: ["input.json": FileContent(bytes: bytes)], targetPath: "input.json")
            operations.append((PatchOperation(role: role, target: "input.json", payload: payload), nil, files))
        }
    }
    guard !operations.isEmpty else { return 0 }
    let done = DispatchSemaphore(value: 0)
    let work = operations.map { ($0.0, $0.1, $0.2) }
    Task {
        for (operation, patch, files) in work {
            guard case .content(let applier)? = registry.entry(for: operation.role) else { continue }
            let context = ApplyContext(patch: patch ?? placeholder, workspace: "/nonexistent", checkOnly: true)
            _ = try? await applier.apply(operation, files: files, context: context)
        }
        done.signal()
    }
    done.wait()
    return 0
}

/// The patch handed to appliers for raw regex inputs.
let placeholder = try! Patch.parse(json: Array(#"{"id":"fuzz","role":"ui_patch","target_file":"f","patch":{"pattern":"a","replacement":"b"}}"#.utf8))

/// GhostRunner's substitution loop must agree with `pcre2_substitute` on every input: same bytes and count,
/// or the same error. A disagreement is a finding (the process traps, and libFuzzer keeps the input).
func checkAgainstPCRE2(pattern: String, replacement: [UInt8], flags: String, subject: [UInt8]) {
    guard let options = try? PatternOptions(flags: flags), let compiled = try? CompiledPattern(pattern, options: options) else { return }
    func outcome(_ body: () throws(ApplyError) -> Substitution) -> String {
        do {
            let result = try body()
            return "\(result.count) \(result.output)"
        } catch {
            return "error \(error.reason.rawValue)"
        }
    }
    let fast = outcome { () throws(ApplyError) in try compiled.substitute(in: subject, replacement: replacement, extendedSyntax: false) }
    let reference = outcome { () throws(ApplyError) in try compiled.substituteWithPCRE2(in: subject, replacement: replacement, extendedSyntax: false)
    }
    precondition(fast == reference, "substitution differs from pcre2_substitute: \(fast) vs \(reference)")
}
