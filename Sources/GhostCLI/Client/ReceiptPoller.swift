import ApplierAPI
import ArgumentParser
import Foundation

/// Polls `GET /api/patches/{id}` until the given attempt has a receipt.
struct ReceiptPoller {
    let host: HostOptions

    /// The receipt of attempt `attempt` of `id`; exits 1 when it has none after `seconds`.
    func receipt(of id: String, attempt: Double, within seconds: Double) async throws -> JSONValue {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let (status, body) = try host.call("GET", "/api/patches/" + HostOptions.segment(id))
            if status == 200, body["received_at"] != nil, (body["attempt"]?.doubleValue ?? 1) >= attempt { return body }
            guard Date() < deadline else {
                FileHandle.standardError.write(Data("attempt \(Int(attempt)) of \(id) has not finished after \(seconds) s\n".utf8))
                throw ExitCode(1)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
