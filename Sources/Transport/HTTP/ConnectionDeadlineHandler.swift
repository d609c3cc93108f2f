import ApplierAPI
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client is too slow: its request head must arrive within the header
/// deadline (from the connection's start, or from the end of its previous response) and its body within
/// the body deadline; and registers it with the server's ``ConnectionGuard``, where it stays evictable
/// until its whole request (head and body) is in.
final class ConnectionDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let connections: ConnectionGuard
    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private var deadline: Scheduled<Void>?
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
        deadline?.cancel()
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
            deadline?.cancel()
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
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}
