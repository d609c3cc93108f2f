import ApplierAPI
import Foundation

/// What reverting an applied patch writes, decided from its receipt and its before-images alone: for each
/// file it changed, the hash the file must still have (the receipt's after-hash, `nil`: still absent) and
/// the state to put back (its before-image, `nil`: delete a file the patch created).
///
/// Pure: the queue builds it before queueing the revert, and ``RestoreApplier`` reads it back from the
/// revert patch and checks it again against the files inside the revert's own transaction.
struct RevertPlan: Sendable, Equatable {
    /// One file to put back.
    struct Step: Sendable, Equatable {
        /// The path below the workspace root.
        var path: String
        /// The SHA-256 the file must have now (`nil`: it must not exist).
        var expectSHA256: String?
        /// What to write back (`nil`: delete it).
        var restore: FileContent?
    }

    /// The id of the patch reverted.
    var reverts: String
    /// One step per file the patch changed.
    var steps: [Step]

    /// The plan that undoes the applied patch of `receipt`, whose before-images are `images`.
    /// - Throws: ``Reason/conflict`` when it is not an applied patch that changed files;
    ///   ``Reason/invalidPatch`` when it cannot be undone exactly (steps ran, images not kept or gone).
    static func make(for receipt: Receipt, images: BeforeImages?) throws(ApplyError) -> RevertPlan {
        let id = receipt.id ?? "?"
        guard receipt.status == .applied else {
            let why = receipt.status == .failed ? "nothing of it took effect" : "it changed nothing"
            throw ApplyError(.conflict, "patch '\(id)' is \(receipt.status.rawValue): \(why), so there is nothing to revert")
        }
        guard receipt.steps.isEmpty else {
            throw ApplyError(.invalidPatch, "patch '\(id)' ran \(receipt.steps.count) shell or effect step(s); what a step did cannot be undone")
        }
        guard let images else {
            throw ApplyError(
                .invalidPatch,
                "the before-images of '\(id)' were not kept (retention.before_images_per_patch: 0) or are gone (removed by retention with its receipt, or lost to a crash before they were synced); it cannot be reverted exactly"
            )
        }
        if let over = images.overLimit {
            throw ApplyError(
                .invalidPatch,
                "patch '\(id)' changed more than the before-images kept per patch (\(over.path) brings them to \(over.bytes) bytes; "
                    + "retention.before_images_per_patch); it cannot be reverted exactly"
            )
        }
        var steps: [Step] = []
        for file in receipt.files where file.changed {
            var restore: FileContent?
            if let before = file.beforeSHA256 {
                guard let image = images.images.first(where: { $0.path == file.path }), image.sha256 == before,
                    Digest.sha256(image.bytes) == before
                else {
                    throw ApplyError(
                        .invalidPatch,
                        "the before-image of \(file.path) in '\(id)' is missing or damaged; it cannot be reverted exactly"
                    )
                }
                restore = FileContent(bytes: image.bytes, mode: image.mode)
            }
            steps.append(Step(path: file.path, expectSHA256: file.afterSHA256, restore: restore))
        }
        guard !steps.isEmpty else { throw ApplyError(.conflict, "patch '\(id)' changed no file; there is nothing to revert") }
        return RevertPlan(reverts: id, steps: steps)
    }

    /// The paths whose current hash (`nil`: absent) is not the one the plan expects.
    func conflicts(current: [String: String?]) -> [String] {
        steps.filter { step in (current[step.path] ?? nil) != step.expectSHA256 }.map(\.path)
    }

    /// The error of a revert refused because `paths` changed since the patch.
    func conflict(_ paths: [String]) -> ApplyError {
        ApplyError(
            .conflict,
            "changed since '\(reverts)' was applied: \(paths.joined(separator: ", ")); nothing was written (revert it by hand, or send a new patch)"
        )
    }

    /// The revert as a patch `id` that intake would take under `limits`: its body and the patch parsed from it.
    /// Refused (`invalid_patch`) when the id or the body is over the limits.
    func queueable(id: String, limits: PatchLimits) throws(ApplyError) -> (body: [UInt8], patch: Patch) {
        guard id.count <= 200 else {
            throw ApplyError(.invalidPatch, "the revert's id would be \(id.count) characters (revert-<id>); ids are at most 200")
        }
        let body = patchBody(id: id)
        guard body.count <= limits.maxPatchBytes else {
            throw ApplyError(
                .invalidPatch,
                "the revert of '\(reverts)' would be a patch of \(body.count) bytes, over limits.max_patch_bytes (\(limits.maxPatchBytes)); it cannot be queued"
            )
        }
        return (body, try Patch.parse(json: body, limits: limits))
    }

    /// The error of a revert refused because the patch `id` stands reverted by attempt `attempt` of `revertID`.
    static func alreadyReverted(_ id: String, by revertID: String, attempt: Int) -> ApplyError {
        ApplyError(.conflict, "'\(id)' is already reverted (\(revertID), attempt \(attempt)); revert \(revertID) to undo that")
    }

    /// The revert as a patch: id `id`, one ``RestoreApplier`` operation carrying the plan.
    func patchBody(id: String) -> [UInt8] {
        let document: JSONValue = [
            "id": .string(id),
            "role": .string(RestoreApplier.role),
            "description": .string("revert of \(reverts)"),
            "patch": payload,
        ]
        return document.serializedBytes
    }

    /// The plan as the `restore` role's payload.
    var payload: JSONValue {
        let files = steps.map { step -> JSONValue in
            var file: [String: JSONValue] = ["path": .string(step.path), "expect_sha256": step.expectSHA256.map(JSONValue.string) ?? .null]
            if let restore = step.restore {
                file["content_base64"] = .string(Data(restore.bytes).base64EncodedString())
                file["mode"] = .number(Double(restore.mode))
            } else {
                file["delete"] = true
            }
            return .object(file)
        }
        return ["reverts": .string(reverts), "files": .array(files)]
    }

    /// Reads a plan back from the `restore` role's payload.
    init(payload: JSONValue) throws(ApplyError) {
        guard let reverts = payload["reverts"]?.stringValue, let files = payload["files"]?.arrayValue, !files.isEmpty else {
            throw ApplyError(.invalidPatch, "role 'restore' needs a payload with 'reverts' and a non-empty 'files' array")
        }
        var steps: [Step] = []
        for file in files {
            guard let path = file["path"]?.stringValue, !path.isEmpty else { throw ApplyError(.invalidPatch, "each 'restore' file needs a 'path'") }
            let expect = file["expect_sha256"]?.stringValue
            if file["delete"]?.boolValue == true {
                steps.append(Step(path: path, expectSHA256: expect, restore: nil))
                continue
            }
            guard let text = file["content_base64"]?.stringValue, let data = Data(base64Encoded: text), let mode = file["mode"]?.doubleValue,
                mode >= 0, mode <= 0o777
            else {
                throw ApplyError(.invalidPatch, "'restore' file \(path) needs 'content_base64' and a 'mode' up to 0777, or 'delete': true")
            }
            steps.append(Step(path: path, expectSHA256: expect, restore: FileContent(bytes: [UInt8](data), mode: UInt16(mode))))
        }
        self.init(reverts: reverts, steps: steps)
    }

    /// A plan of `steps` reverting `reverts`.
    init(reverts: String, steps: [Step]) {
        self.reverts = reverts
        self.steps = steps
    }
}
