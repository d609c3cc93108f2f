import ApplierAPI
import ArgumentParser
import Foundation

/// What `ghost retry` and `ghost revert` share: the host, a patch id, `--wait`, and the call that queues a
/// patch and waits for its receipt.
struct PatchActionOptions: ParsableArguments {
    @OptionGroup var host: HostOptions

    @Argument(help: ArgumentHelp("The patch id.", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("Wait up to this many seconds for the receipt of the patch it queues.", valueName: "seconds"))
    var wait: Double?

    /// POSTs `/api/patches/{id}/{action}` and prints the answer or, with `--wait`, the receipt of the patch it
    /// queued (`result.patch_id`, attempt `result.attempt`); exits 1 when that patch failed.
    func run(_ action: String) async throws {
        let answer = try host.expectSuccess("POST", "/api/patches/\(HostOptions.segment(id))/\(action)")
        guard let wait, wait > 0 else {
            print(answer.serialized)
            return
        }
        let queued = answer["result"]?["patch_id"]?.stringValue ?? id
        let attempt = answer["result"]?["attempt"]?.doubleValue ?? 1
        let receipt = try await ReceiptPoller(host: host).receipt(of: queued, attempt: attempt, within: wait)
        print(receipt.serialized)
        if receipt["status"]?.stringValue == "failed" { throw ExitCode(1) }
    }
}
