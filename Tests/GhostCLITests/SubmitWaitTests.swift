import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// `ghost submit --wait S` waits the whole S seconds: the client's timeout follows the wait.
@Suite struct SubmitWaitTests {
    @Test func theClientTimeoutCoversTheWholeWait() {
        #expect(HTTPClient.timeoutSeconds(forWait: nil) == HTTPClient.defaultTimeoutSeconds)
        #expect(HTTPClient.timeoutSeconds(forWait: 0) == HTTPClient.defaultTimeoutSeconds)
        #expect(HTTPClient.timeoutSeconds(forWait: 5) == HTTPClient.defaultTimeoutSeconds)
        #expect(HTTPClient.timeoutSeconds(forWait: 60) == 75)
        #expect(HTTPClient.timeoutSeconds(forWait: 299.2) == 315)
        #expect(HTTPClient.timeoutSeconds(forWait: .infinity) == HTTPClient.defaultTimeoutSeconds)
        #expect(HTTPClient.timeoutSeconds(forWait: 1e300) == 86_415)
    }

    @Test func submitWaitReturnsTheReceiptOfASlowPatch() async throws {
        let folder = try makeTempFolder("cli")
        try write("queues:\n  default: {dir: patches, workspace: ., shell: true}\n", to: folder + "/ghost.yml")
        try write(#"{"id": "slow", "role": "shell", "patch": "sleep 2"}"#, to: folder + "/slow.json")
        let host = try await ServeProcess.start(folder: folder)
        let result = try await GhostProcess.run(["submit", "--url", "http://127.0.0.1:\(host.port)", "--wait", "20", "slow.json"], in: folder)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect((try? JSONParser.parse(result.stdout))?["result"]?["receipt"]?["status"] == "applied")
        #expect(await host.stop() == 0)
    }
}
