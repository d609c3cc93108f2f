import ApplierAPI
import Foundation
package import Logging
package import Supervision

/// The stdin transport of `ghost serve --stdin`: each line of standard input is one patch (NDJSON); each
/// one's receipt is printed as one JSON line on standard output when it finishes.
///
/// A line that is refused prints a receipt-shaped line with `"status": "failed"`, its `reason` and
/// `message`. The end of input stops this transport only; the host keeps serving its other transports.
package struct StdinTransport: Sendable {
    private let queue: String?
    private let intake: any PatchIntake
    private let health: HealthBoard
    private let logger: Logger
    private let lines: @Sendable () -> AsyncStream<String>
    private let output: @Sendable (String) -> Void

    /// The component name on the health board.
    package static let componentName = "stdin"

    /// A transport reading `lines` (standard input unless given) into `queue` (the default when `nil`),
    /// writing receipt lines with `output` (standard output unless given).
    package init(
        queue: String?,
        intake: any PatchIntake,
        health: HealthBoard,
        logger: Logger,
        lines: (@Sendable () -> AsyncStream<String>)? = nil,
        output: (@Sendable (String) -> Void)? = nil
    ) {
        self.queue = queue
        self.intake = intake
        self.health = health
        self.logger = logger
        self.lines = lines ?? Self.standardInputLines
        self.output = output ?? { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
    }

    /// Reads until the end of input, then waits for every receipt it owes.
    package func run() async throws {
        await health.set(Self.componentName, .up)
        await withTaskGroup(of: Void.self) { group in
            for await line in lines() where !line.allSatisfy(\.isWhitespace) {
                do throws(ApplyError) {
                    let acceptance = try await intake.submit(Delivery(body: Array(line.utf8), queue: queue, source: .stdin))
                    if acceptance.state == .duplicate {
                        output(Self.duplicateLine(acceptance))
                        continue
                    }
                    group.addTask {
                        // A receipt for every patch taken: wait as long as it takes.
                        while !Task.isCancelled {
                            if let receipt = await intake.waitForReceipt(id: acceptance.patchID, queue: acceptance.queue, timeout: .seconds(3600)) {
                                output(receipt.serialized)
                                return
                            }
                        }
                    }
                } catch {
                    output(Self.refusedLine(line, error))
                }
            }
            await group.waitForAll()
        }
    }

    private static func duplicateLine(_ acceptance: Acceptance) -> String {
        var object: [String: JSONValue] = [
            "id": .string(acceptance.patchID),
            "queue": .string(acceptance.queue),
            "source": "stdin",
            "status": "duplicate",
            "message": "same id and content as a patch received before; not applied again",
        ]
        if let receipt = acceptance.receipt { object["first_receipt"] = receipt }
        return JSONValue.object(object).serialized
    }

    private static func refusedLine(_ line: String, _ error: ApplyError) -> String {
        let document = try? JSONParser.parse(line)
        let id = (document?["id"] ?? document?["blockId"])?.stringValue
        let object: [String: JSONValue] = [
            "id": id.map(JSONValue.string) ?? .null,
            "source": "stdin",
            "status": "failed",
            "reason": .string(error.reason.rawValue),
            "message": .string(error.message),
        ]
        return JSONValue.object(object).serialized
    }

    /// Standard input, line by line, read on a thread of its own (reading blocks).
    private static func standardInputLines() -> AsyncStream<String> {
        AsyncStream { continuation in
            let thread = Thread {
                while let line = readLine(strippingNewline: true) { continuation.yield(line) }
                continuation.finish()
            }
            thread.start()
        }
    }
}
