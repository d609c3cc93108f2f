import ApplierAPI
import Foundation
import Transport

/// The first step of a delivery, before the queue's actor sees it: the body parsed as JSON and as a patch,
/// every role's payload checked by its role, the content hashed and the name it will be filed under chosen.
/// What fails here is refused with a reason (HTTP 422, an inbox file moved to `.failed/`) and never queued.
struct QueueIntake: Sendable {
    let queue: String
    let limits: PatchLimits
    let runner: PatchRunner
    let filer: QueueFiler

    /// A delivery that is a patch this queue can run.
    struct Checked: Sendable {
        var document: JSONValue
        var patch: Patch
        /// The SHA-256 of the canonical JSON: the same id with another hash is an `id_conflict`.
        var hash: String
        /// The name it is filed under in `.completed/` or `.failed/`.
        var name: String
        var source: Receipt.Source
    }

    /// Why a delivery is refused, with its JSON when it was JSON.
    struct Refusal: Error {
        var document: JSONValue?
        var error: ApplyError
    }

    /// Parses and checks a delivery.
    func check(_ delivery: Delivery) throws(Refusal) -> Checked {
        if let rejection = delivery.rejection { throw Refusal(document: nil, error: rejection) }
        let document: JSONValue
        do throws(JSONParseError) {
            document = try JSONParser.parse(delivery.body)
        } catch {
            throw Refusal(document: nil, error: ApplyError(.invalidJSON, "the body is not JSON: \(error)"))
        }
        let patch: Patch
        do throws(ApplyError) {
            patch = try Patch.parse(document, limits: limits)
            try runner.validate(patch)
        } catch {
            throw Refusal(document: document, error: error)
        }
        let name =
            delivery.inboxFile.map { SpoolName.normalized($0.lastPathComponent) }
            ?? SpoolName.forDelivery(id: patch.id, at: delivery.receivedAt)
        return Checked(
            document: document,
            patch: patch,
            hash: Digest.sha256(document.serializedBytes),
            name: name,
            source: Receipt.Source(delivery.source)
        )
    }

    /// Records a delivery that is not queued. An inbox file is moved to `.failed/` with a receipt, since it
    /// cannot stay in the inbox; other transports just answer with the error. Returns the error to answer
    /// with and what was filed, if anything.
    func refuse(_ delivery: Delivery, _ refusal: Refusal) async -> (error: ApplyError, filed: QueueFiler.Filed?) {
        guard let inboxFile = delivery.inboxFile else { return (refusal.error, nil) }
        let receipt = Receipt.refused(
            document: refusal.document,
            error: refusal.error,
            options: RunOptions(queue: queue, source: Receipt.Source(delivery.source), limits: limits),
            receivedAt: delivery.receivedAt
        )
        do throws(ApplyError) {
            let filed = try await filer.fileInbox(inboxFile, name: SpoolName.normalized(inboxFile.lastPathComponent), receipt: receipt)
            filer.metrics.finished(queue: queue, role: receipt.role ?? "unknown", failedWith: refusal.error.reason.rawValue, duration: nil)
            return (refusal.error, filed)
        } catch {
            return (error, nil)
        }
    }
}
