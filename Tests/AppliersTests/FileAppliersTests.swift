import ApplierAPI
import Appliers
import Testing

@Suite struct FileAppliersTests {
    @Test func writeCreatesReplacesAndRecognisesSameBytes() async throws {
        let write = WriteApplier()
        #expect(writtenText(try await apply(write, ["contents": "new"], to: nil)) == "new")
        #expect(writtenText(try await apply(write, ["contents": "new"], to: "old")) == "new")
        #expect(try await apply(write, ["contents": "same"], to: "same").changes.isEmpty)
        let modeOnly = try await apply(write, ["contents": "same", "mode": "0755"], to: "same")
        #expect(modeOnly.changes.first?.action == .setMode(0o755))
        let base64 = try await apply(write, ["contents": "AAEC/w==", "encoding": "base64"], to: nil)
        #expect(base64.changes.first?.action == .write([0, 1, 2, 255], mode: nil))
        #expect(await failureReason { _ = try await apply(write, ["contents": "%%", "encoding": "base64"], to: nil) } == .invalidPatch)
        #expect(await failureReason { _ = try await apply(write, ["contents": "x", "mode": "0999"], to: nil) } == .invalidPatch)
    }

    @Test(arguments: [(JSONValue.string("0644"), UInt16(0o644)), ("755", 0o755), ("0o700", 0o700), (.number(640), 0o640)])
    func modesParseAsOctal(_ value: JSONValue, _ expected: UInt16) throws {
        #expect(try FileMode.parse(value) == expected)
    }

    @Test func deleteAndChmod() async throws {
        #expect(try await apply(DeleteApplier(), .null, to: "x").changes.first?.action == .delete)
        #expect(try await apply(DeleteApplier(), .null, to: nil).changes.isEmpty)
        #expect(try await apply(ChmodApplier(), ["mode": "0600"], to: "x").changes.first?.action == .setMode(0o600))
        #expect(try await apply(ChmodApplier(), ["mode": "0644"], to: "x", mode: 0o644).changes.isEmpty)
        #expect(await failureReason { _ = try await apply(ChmodApplier(), ["mode": "0600"], to: nil) } == .fileNotFound)
    }

    @Test func insertAfterAndBeforeAreIdempotent() async throws {
        let after = InsertApplier(.after)
        let first = try await apply(after, ["insertAfter": "import A\n", "contents": "import B\n"], to: "import A\ncode\n")
        #expect(writtenText(first) == "import A\nimport B\ncode\n")
        #expect(try await apply(after, ["insertAfter": "import A\n", "contents": "import B\n"], to: "import A\nimport B\ncode\n").changes.isEmpty)
        let before = InsertApplier(.before)
        #expect(writtenText(try await apply(before, ["anchor": "}", "contents": "  x\n"], to: "{\n}")) == "{\n  x\n}")
        #expect(try await apply(before, ["anchor": "}", "contents": "  x\n"], to: "{\n  x\n}").changes.isEmpty)
    }

    @Test func insertAtLineNumbersAndEnds() async throws {
        let at = InsertApplier(.at)
        #expect(writtenText(try await apply(at, ["insertAt": 2, "contents": "B\n"], to: "A\nC\n")) == "A\nB\nC\n")
        #expect(writtenText(try await apply(at, ["insertAt": "end", "contents": "Z\n"], to: "A\n")) == "A\nZ\n")
        #expect(writtenText(try await apply(at, ["insertAt": "start", "contents": "0\n"], to: "A\n")) == "0\nA\n")
        #expect(await failureReason { _ = try await apply(at, ["insertAt": 9, "contents": "x"], to: "A\n") } == .noMatch)
    }

    @Test func missingAnchorUsesFallbackOrFails() async throws {
        let after = InsertApplier(.after)
        #expect(await failureReason { _ = try await apply(after, ["insertAfter": "nope", "contents": "x"], to: "abc") } == .noMatch)
        #expect(writtenText(try await apply(after, ["insertAfter": "nope", "contents": "x", "fallback": "append"], to: "abc")) == "abcx")
        #expect(try await apply(after, ["insertAfter": "nope", "contents": "x", "fallback": "skip"], to: "abc").changes.isEmpty)
    }

    @Test func registryResolvesAliasesAndLetsLaterRolesWin() {
        var registry = ApplierRegistry.builtIn()
        #expect(registry.entry(for: "regex")?.descriptor.name == "ui_patch")
        #expect(registry.entry(for: "upsert")?.descriptor.name == "write")
        #expect(registry.entry(for: "command_patch")?.descriptor.name == "shell")
        struct Custom: ContentApplier {
            let descriptor = RoleDescriptor(name: "write", summary: "custom", origin: "test")
            func apply(_ operation: PatchOperation, files: FileSet, context: ApplyContext) async throws -> ContentResult {
                ContentResult(changes: [])
            }
        }
        registry.register(Custom())
        #expect(registry.entry(for: "write")?.descriptor.origin == "test")
        #expect(registry.entry(for: "upsert") == nil)
        #expect(registry.descriptors.filter { $0.name == "write" }.count == 1)
    }
}
