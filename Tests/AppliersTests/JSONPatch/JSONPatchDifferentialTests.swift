import ApplierAPI
import Appliers
import Foundation
import Testing

/// Generated documents and patches, applied by GhostRunner and by references: the Python `jsonpatch`
/// package for RFC 6902 and RFC 7396's own pseudo-code for merge patches
/// (`Fixtures/edit-formats/json-patch/reference.py`). Both must produce equal values or both fail. The
/// reference also writes each document (compact, or indented with 2 or 4 spaces or a tab), so the roles
/// read and write files laid out as Python writes them. Without python3 and `jsonpatch` the test fails:
/// CI installs them.
@Suite struct JSONPatchDifferentialTests {
    typealias Generator = SearchReplacePropertyTests.Generator

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/edit-formats/json-patch/reference.py")

    @Test func jsonPatchAgreesWithPythonsJsonpatch() async throws {
        var maker = JSONCaseMaker(random: Generator(state: 6902))
        let cases = (0..<400).map { _ in maker.patchCase() }
        let (agreed, failed) = try await compare(cases, kind: "patch", applier: JSONDocumentApplier(.patch))
        #expect(agreed - failed > 100, "too few cases applied: \(agreed - failed) of \(agreed)")
        #expect(failed > 50, "too few cases failed: \(failed) of \(agreed)")
    }

    @Test func jsonMergePatchAgreesWithRFC7396() async throws {
        var maker = JSONCaseMaker(random: Generator(state: 7396))
        let cases = (0..<200).map { _ in maker.mergeCase() }
        _ = try await compare(cases, kind: "merge", applier: JSONDocumentApplier(.mergePatch))
    }

    /// Runs every case through the reference and `applier`; returns how many agreed and how many of those failed.
    private func compare(_ cases: [JSONCase], kind: String, applier: some ContentApplier) async throws -> (agreed: Int, failed: Int) {
        let indents: [JSONValue] = [.null, 2, 4, "\t"]
        let lines = cases.enumerated().map { index, item -> String in
            let request: JSONValue = [
                "kind": .string(kind), "document": item.document, "patch": item.patch, "indent": indents[index % indents.count],
            ]
            return request.serialized
        }
        let input = lines.joined(separator: "\n") + "\n"
        let run = try await Self.runReference(input)
        try #require(
            run.status == 0,
            "the reference needs python3 and the jsonpatch package (pip install jsonpatch; .ci/run installs it): \(run.complaint)"
        )
        let answers = try run.output.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        try #require(answers.count == cases.count, "the reference answered \(answers.count) of \(cases.count) cases")
        var agreed = 0
        var failed = 0
        for (index, answer) in answers.enumerated() {
            let text = try #require(answer["text"]?.stringValue)
            let label = "case \(index): \(text) with \(cases[index].payload.serialized)"
            let ours: Result<JSONValue, ApplyError>
            do {
                let operation = PatchOperation(role: applier.descriptor.name, target: "f.txt", payload: cases[index].payload)
                try applier.validate(operation)
                let result = try await apply(applier, cases[index].payload, to: text)
                ours = .success(try JSONParser.parse(result.changes.isEmpty ? text : try #require(writtenText(result))))
            } catch let error as ApplyError {
                ours = .failure(error)
            }
            switch (ours, answer["result"], answer["error"]) {
            case (.success(let value), let expected?, nil):
                #expect(value == expected, "\(label): GhostRunner \(value.serialized), reference \(expected.serialized)")
            case (.failure(let error), nil, .some):
                #expect([.noMatch, .invalidPatch].contains(error.reason), "\(label): \(error)")
                failed += 1
            case (.success(let value), _, let error):
                Issue.record("\(label): GhostRunner applied it (\(value.serialized)); the reference failed: \(error?.stringValue ?? "?")")
                continue
            case (.failure(let error), let expected, _):
                Issue.record("\(label): GhostRunner failed (\(error)); the reference gave \(expected?.serialized ?? "?")")
                continue
            }
            agreed += 1
        }
        return (agreed, failed)
    }

    /// Runs the reference on `input` through the runner the exec and shell roles use (swift-subprocess: no
    /// thread of the cooperative pool waits on the child): its exit status, output and complaints.
    private static func runReference(_ input: String) async throws -> (status: Int32?, output: String, complaint: String) {
        let outcome = try await ProcessRunner(outputLimit: 64 << 20, keepHead: true).run(
            ["python3", script.path],
            environment: ProcessInfo.processInfo.environment,
            workingDirectory: FileManager.default.temporaryDirectory.path,
            input: Array(input.utf8),
            timeout: .seconds(120)
        )
        return (outcome.exitCode, String(decoding: outcome.stdout, as: UTF8.self), String(decoding: outcome.stderr, as: UTF8.self))
    }
}
