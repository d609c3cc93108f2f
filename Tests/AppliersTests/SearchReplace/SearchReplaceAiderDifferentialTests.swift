import ApplierAPI
import Foundation
import Testing

/// Cases where Aider's own applier (aider/coders/editblock_coder.py) is known to behave a certain way,
/// kept as fixtures in `Fixtures/edit-formats/aider/`: each holds the files, the Aider text, what Aider
/// produces and what GhostRunner must do. Where the two agree the outputs are compared byte for byte;
/// where GhostRunner refuses on purpose (a first-of-two match, an empty search on an existing file) the
/// fixture says why.
@Suite struct SearchReplaceAiderDifferentialTests {
    static var names: [String] { EditFormatFixtures.names("aider") }

    @Test func thereAreFixtures() {
        #expect(Self.names.count >= 3)
    }

    @Test(arguments: Self.names)
    func ghostRunnerDoesWhatTheFixtureSays(name: String) async throws {
        let fixture = try EditFormatFixtures.load("aider", name)
        let files = EditFormatFixtures.files(fixture["files"])
        let patch = try #require(fixture["patch"])
        let ghost = try #require(fixture["ghost"])
        let aider = try #require(fixture["aider"]?["files"]?.objectValue)
        if let expected = ghost["files"]?.objectValue {
            let run = try await runSearchReplace(patch, files: files, target: nil)
            for (path, text) in expected { #expect(run.text(path) == text.stringValue, "\(name): \(path)") }
            #expect(run.edits.first?["match"] == ghost["match"], "\(name)")
            // Where GhostRunner applies, it writes what Aider writes.
            for (path, text) in aider { #expect(run.text(path) == text.stringValue, "\(name): Aider wrote \(path) otherwise") }
        } else {
            let error = await searchReplaceError(patch, files: files, target: nil)
            #expect(error?.reason.rawValue == ghost["reason"]?.stringValue, "\(name)")
            #expect(error?.message.contains(ghost["message"]?.stringValue ?? "") == true, "\(name): \(error?.message ?? "applied")")
            // Refusing must be a real difference: Aider changed the file.
            #expect(aider.contains { path, text in files[path] != text.stringValue.map { Array($0.utf8) } }, "\(name)")
        }
    }
}
