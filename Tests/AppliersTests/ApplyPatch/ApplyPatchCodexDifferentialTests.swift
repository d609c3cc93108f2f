import ApplierAPI
import Appliers
import Testing

/// Cases where Codex's own applier (codex-rs/apply-patch/src/lib.rs: `compute_replacements`,
/// `seek_sequence`) is known to behave a certain way, kept in `Fixtures/edit-formats/codex/`. Where
/// GhostRunner writes what Codex writes, the bytes are compared; where it differs on purpose (a refusal,
/// or bytes it keeps that Codex rewrites), the fixture says why and the test checks the difference is real.
@Suite struct ApplyPatchCodexDifferentialTests {
    @Test(arguments: EditFormatFixtures.names("codex"))
    func againstCodex(fixture name: String) async throws {
        let fixture = try EditFormatFixtures.load("codex", name)
        let files = EditFormatFixtures.files(fixture["files"]).mapValues { FileContent(bytes: $0) }
        let patch = try #require(fixture["patch"])
        let ghost = try #require(fixture["ghost"])
        let codex = EditFormatFixtures.files(fixture["codex"]?["files"])
        guard ghost["files"] != nil else {
            let error = await applyError { _ = try await runApplier(ApplyPatchApplier(), patch, files: files, target: nil) }
            #expect(error?.reason.rawValue == ghost["reason"]?.stringValue, "\(name)")
            #expect(error?.message.contains(ghost["message"]?.stringValue ?? "") == true, "\(name): \(error?.message ?? "applied")")
            // Refusing must be a real difference: Codex changed a file.
            #expect(codex.contains { path, bytes in files[path]?.bytes != bytes }, "\(name)")
            return
        }
        let run = try await runApplier(ApplyPatchApplier(), patch, files: files, target: nil)
        let expected = EditFormatFixtures.files(ghost["files"])
        for (path, bytes) in expected { #expect(run.files[path]?.bytes == bytes, "\(name): \(path)") }
        #expect(run.hunk(0)?["match"] == ghost["match"], "\(name)")
        let sameAsCodex = codex.allSatisfy { path, bytes in run.files[path]?.bytes == bytes }
        // Where the fixture names a difference, it is there; elsewhere GhostRunner writes Codex's bytes.
        #expect(sameAsCodex == (ghost["differs"] == nil), "\(name): \(ghost["differs"]?.stringValue ?? "Codex wrote otherwise")")
    }

    /// The cases the docs' table of differences names are all here.
    @Test func everyDocumentedDifferenceHasAFixture() {
        #expect(EditFormatFixtures.names("codex").count >= 7)
    }
}
