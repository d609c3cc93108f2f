import ApplierAPI
import Foundation
import GhostTesting
import Testing

@Suite struct PatchParsingTests {
    @Test func v1EnvelopeIsOneOperation() throws {
        let patch = try Patch.parse(json: try fixtureBytes("v1-dummy-ui-patch.json"))
        #expect(patch.id == "test-patch")
        #expect(patch.shape == .single)
        #expect(patch.operations.count == 1)
        #expect(patch.operations[0].role == "ui_patch")
        #expect(patch.operations[0].target == "tmp_test_target.tsx")
        #expect(patch.operations[0].payload["replacement"] == "<Text>✅ PATCHED</Text>")
    }

    @Test func v1WithMutationsIsABlockWithItsShellPhases() throws {
        let patch = try Patch.parse(json: try fixtureBytes("v1-mutations-in-patch.json"))
        #expect(patch.shape == .block)
        #expect(patch.operations.map(\.role) == ["upsert", "shell", "shell"])
        #expect(patch.operations.map(\.phase) == [.mutation, .postBuild, .postBuild])
        #expect(patch.operations[0].target == "/tmp/test-patch-result.json")
    }

    @Test func v2HardenedBlockOrdersPhases() throws {
        let patch = try Patch.parse(json: try fixtureBytes("v2-hardened-upsert-shell.json"))
        #expect(patch.id == "patch-v3.3.19(P11.12.06)_cyops-queue-pickup_fix+unified-executor")
        #expect(patch.operations.filter { $0.phase == .mutation }.count == 4)
        #expect(
            patch.operations.map(\.phase) == [.mutation, .mutation, .mutation, .mutation, .postBuild, .postBuild, .postBuild, .postBuild, .validate]
        )
        #expect(patch.extraFields["showInUI"] == .bool(true))
        #expect(patch.extraFields["mutations"] == nil)
    }

    @Test func v1ShellStringKeepsPhaseOrder() throws {
        let patch = try Patch.parse(json: try fixtureBytes("v1-shell-string-patch.json"))
        #expect(patch.role == "ghost-system")
        let phases = patch.operations.map(\.phase)
        #expect(phases.first == .preValidation)
        #expect(phases.firstIndex(of: .mutation)! > phases.lastIndex(of: .preValidation)!)
        #expect(phases.last == .postBuild || phases.last == .validate)
        #expect(patch.operations.first { $0.phase == .mutation }?.payload.stringValue?.hasPrefix("echo") == true)
    }

    @Test func everyRealWorldPatchParses() throws {
        for name in [
            "v1-dummy-ui-patch.json", "v1-mutations-in-patch.json", "v1-shell-string-patch.json",
            "v2-hardened-upsert-shell.json", "v2-router-blockid.json", "v2-simple-mutations.json",
        ] {
            #expect(throws: Never.self) { try Patch.parse(json: try fixtureBytes(name)) }
        }
    }

    @Test func insertMutationsBecomeInsertRoles() throws {
        let patch = try Patch.parse(
            #"{"blockId": "b", "mutations": [{"path": "a", "contents": "x", "insertAfter": "y"}, {"op": "delete", "path": "b"}]}"#
        )
        #expect(patch.operations.map(\.role) == ["insertAfter", "delete"])
    }

    @Test(arguments: [
        (#"[1]"#, "JSON object"),
        (#"{"role": "ui_patch"}"#, "missing 'id'"),
        (#"{"id": "a b", "role": "x"}"#, "letters, digits"),
        (#"{"id": 5, "role": "x"}"#, "'id' must be a string"),
        (#"{"id": "ok"}"#, "missing 'role'"),
        (#"{"id": "ok", "mutations": {}}"#, "'mutations' must be an array"),
        (#"{"id": "ok", "mutations": [{"contents": "x"}]}"#, "has no 'path'"),
        (#"{"id": "ok", "role": "x", "validate": {"shell": "ls"}}"#, "'validate.shell' must be an array"),
    ])
    func rejectsInvalidEnvelopes(json: String, fragment: String) {
        do {
            _ = try Patch.parse(json)
            Issue.record("expected \(json) to be rejected")
        } catch {
            #expect(error.reason == .invalidPatch)
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test func notJSONIsInvalidJSON() {
        #expect(throws: ApplyError(.invalidJSON, "not JSON: line 1, column 1: invalid literal, expected 'null'")) {
            try Patch.parse(json: Array("nope".utf8))
        }
    }

    @Test func limitsOperationsAndSize() {
        let three = #"{"id": "x", "mutations": [{"path": "a", "contents": ""}, {"path": "b", "contents": ""}, {"path": "c", "contents": ""}]}"#
        let tooBig = #expect(throws: ApplyError.self) { try Patch.parse(json: Array(three.utf8), limits: PatchLimits(maxPatchBytes: 100)) }
        #expect(tooBig?.reason == .limitExceeded)
        #expect(tooBig?.message.contains("the limit is 100") == true)
        let tooMany = #expect(throws: ApplyError.self) { try Patch.parse(json: Array(three.utf8), limits: PatchLimits(maxOperations: 2)) }
        #expect(tooMany?.reason == .limitExceeded)
        #expect(tooMany?.message.contains("3 operations; the limit is 2") == true)
        #expect(throws: Never.self) { try Patch.parse(json: Array(three.utf8), limits: PatchLimits(maxOperations: 3)) }
    }
}

extension Patch {
    static func parse(_ text: String) throws(ApplyError) -> Patch { try parse(json: Array(text.utf8)) }
}
