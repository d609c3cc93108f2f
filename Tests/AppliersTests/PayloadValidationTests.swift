import ApplierAPI
import Appliers
import Testing

/// Each role checks its payload before the patch is accepted: what can only fail is refused at intake.
@Suite struct PayloadValidationTests {
    let registry = ApplierRegistry.builtIn()

    func reason(_ role: String, _ payload: JSONValue) -> Reason? {
        guard case .content(let applier) = registry.entry(for: role) else {
            Issue.record("role \(role) is not registered")
            return nil
        }
        do {
            try applier.validate(PatchOperation(role: role, target: "f.txt", payload: payload))
            return nil
        } catch {
            return error.reason
        }
    }

    @Test(arguments: [
        ["pattern": "a"] as JSONValue,
        ["replacement": "b"],
        ["pattern": "", "replacement": "b"],
        ["pattern": "(unclosed", "replacement": "b"],
        ["pattern": "a", "replacement": "b", "flags": "z"],
        ["pattern": "a", "replacement": "b", "count": "three"],
        ["pattern": "a", "replacement": "b", "extended": "yes"],
        "just a string",
    ])
    func aRegexPayloadThatCanOnlyFailIsRefused(payload: JSONValue) {
        #expect(reason("ui_patch", payload) != nil)
    }

    @Test func aGoodRegexPayloadPasses() {
        #expect(reason("ui_patch", ["pattern": "<Text>(.*?)</Text>", "replacement": "<Label>$1</Label>", "flags": "s", "count": 2]) == nil)
    }

    /// Base64 may be wrapped over lines; any other character outside the alphabet is refused, not dropped.
    @Test func base64IsStrictButMayBeWrapped() async throws {
        #expect(reason("write", ["contents": "aGVs\nbG8=\n", "encoding": "base64"]) == nil)
        #expect(reason("write", ["contents": "aGVs*bG8=", "encoding": "base64"]) == .invalidPatch)
        #expect(reason("write", ["contents": "aGVsbG8", "encoding": "base64"]) == .invalidPatch)
        #expect(reason("write", ["contents": "x", "encoding": "rot13"]) == .invalidPatch)
        #expect(reason("write", ["mode": "0644"]) == .invalidPatch)
        let written = try await apply(WriteApplier(), ["contents": "aGVs\r\nbG8=", "encoding": "base64"], to: nil)
        #expect(writtenText(written) == "hello")
    }
}
