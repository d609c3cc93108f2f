import ApplierAPI
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `GET /api/events`: one server-sent-events stream with everything the dashboard shows live.
///
/// The stream polls the host once a second and sends what changed: `event: status` with the JSON of
/// `GET /api/status` (queues, depths, paused, components), and `event: patches` with the first page of
/// `GET /api/patches` (so a patch shows up when it is queued and again when it finishes). When nothing has
/// been sent for 15 s a comment line (`: heartbeat`) keeps proxies and the browser from giving up. Polling
/// costs one in-memory read of the status a second per open page; the patch list (a history query) is read
/// only when the status moved, since a patch queued or finished changes a depth or a count. It needs no hook
/// into the queues; the stream ends when the client goes away (at the next write) or the host shuts down
/// (within a second).
extension HTTPTransport {
    /// Patches in each `patches` event.
    static let eventPageSize = 25

    func eventStream() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        let intake = self.intake
        let (interval, heartbeat) = (settings.dashboard.eventInterval, settings.dashboard.heartbeatInterval)
        let body = ResponseBody { writer in
            // Reconnect after 2 s when the connection drops.
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            var sentStatus: JSONValue?
            var sentPatches: JSONValue?
            var lastWrite = ContinuousClock.now
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                var text = ""
                let status = await intake.status()
                if status != sentStatus {
                    text += Self.event("status", status)
                    sentStatus = status
                    if let patches = try? await intake.list(PatchQuery(limit: Self.eventPageSize)), patches != sentPatches {
                        text += Self.event("patches", patches)
                        sentPatches = patches
                    }
                }
                if text.isEmpty && ContinuousClock.now - lastWrite >= heartbeat { text = ": heartbeat\n\n" }
                if !text.isEmpty {
                    try await writer.write(ByteBuffer(string: text))
                    lastWrite = .now
                }
                try? await Task.sleep(for: interval)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// One event; compact JSON holds no newline, so it fits one `data:` line.
    static func event(_ name: String, _ value: JSONValue) -> String {
        "event: \(name)\ndata: \(String(decoding: value.serializedBytes, as: UTF8.self))\n\n"
    }
}
