import ApplierAPI
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client is too slow: its request head must arrive within the header
/// deadline (from the connection's start, or from the end of its previous response) and its body within
/// the body deadline; and registers it with the server's ``ConnectionGuard``, where it stays evictable
/// until its whole request (head and body) is in.
///
/// One timer at most is pending per connection: moving the deadline only records it, and the timer,
/// when it fires early, sleeps again until the recorded deadline. Requests on a busy keep-alive
/// connection then cost no timer scheduling at all.
final class ConnectionDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let connections: ConnectionGuard
    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    /// When the connection is closed unless it makes progress; `nil` while its request is being served.
    private var deadline: NIODeadline?
    private var timer: Scheduled<Void>?
    /// When the pending timer fires.
    private var timerDeadline: NIODeadline?
    private var registered = false

    init(connections: ConnectionGuard, headerTimeout: Duration, bodyTimeout: Duration) {
        self.connections = connections
        self.headerTimeout = .nanoseconds(Int64(headerTimeout.milliseconds * 1_000_000))
        self.bodyTimeout = .nanoseconds(Int64(bodyTimeout.milliseconds * 1_000_000))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { register(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        deadline = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        register(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            arm(context, bodyTimeout)
        case .body: break
        case .end:
            // Only a whole request is being served: a client still sending its body stays evictable, or a
            // flood of heads with slow bodies would hold every connection until the body deadline.
            connections.headReceived(context.channel)
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            connections.responded(context.channel)
            arm(context, headerTimeout)
        }
        context.write(data, promise: promise)
    }

    private func register(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        let channel = context.channel
        let connections = self.connections
        if let victim = connections.opened(channel) { victim.close(promise: nil) }
        channel.closeFuture.whenComplete { _ in connections.closed(channel) }
        arm(context, headerTimeout)
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        let next = NIODeadline.now() + timeout
        deadline = next
        // A pending timer that fires no later than the new deadline will sleep again until it; an earlier
        // deadline (a body's, after a header's) needs a timer of its own.
        if let timerDeadline, timerDeadline <= next, timer != nil { return }
        timer?.cancel()
        startTimer(context)
    }

    private func startTimer(_ context: ChannelHandlerContext) {
        guard let deadline else { return }
        timerDeadline = deadline
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.timer = nil
            handler.timerDeadline = nil
            guard let current = handler.deadline else { return }
            if current <= .now() {
                context.channel.close(promise: nil)
            } else {
                handler.startTimer(context)
            }
        }
    }
}
