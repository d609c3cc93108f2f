import ApplierAPI
import Appliers
import Testing

/// Runs `json_patch` with the payload written as JSON text on a file's text; returns the new text
/// (the old one when nothing changed).
func jsonPatched(_ file: String, _ payload: String) async throws -> String {
    let result = try await apply(JSONDocumentApplier(.patch), try JSONParser.parse(payload), to: file)
    return result.changes.isEmpty ? file : try #require(writtenText(result))
}

/// Runs `json_merge_patch` the same way.
func jsonMerged(_ file: String, _ payload: String) async throws -> String {
    let result = try await apply(JSONDocumentApplier(.mergePatch), try JSONParser.parse(payload), to: file)
    return result.changes.isEmpty ? file : try #require(writtenText(result))
}

/// The error an applier run throws (validation at intake first, as the host does), or `nil`.
func jsonPatchError(_ applier: some ContentApplier, _ file: String?, _ payload: String) async -> ApplyError? {
    do {
        let value = try JSONParser.parse(payload)
        try applier.validate(PatchOperation(role: applier.descriptor.name, target: "f.txt", payload: value))
        _ = try await apply(applier, value, to: file)
        return nil
    } catch let error as ApplyError {
        return error
    } catch {
        Issue.record("not an ApplyError: \(error)")
        return nil
    }
}

/// Whether two JSON texts hold equal values (object member order aside).
func sameJSON(_ a: String, _ b: String) -> Bool {
    guard let left = try? JSONParser.parse(a), let right = try? JSONParser.parse(b) else { return false }
    return left == right
}
