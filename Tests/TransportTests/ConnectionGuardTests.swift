import NIOCore
import NIOEmbedded
import Testing

@testable import Transport

@Suite struct ConnectionGuardTests {
    @Test func pastTheCapTheOldestConnectionStillSendingItsHeadIsClosed() throws {
        let connections = ConnectionGuard(capacity: 2)
        let served = EmbeddedChannel()
        let slow = EmbeddedChannel()
        let newcomer = EmbeddedChannel()
        #expect(connections.opened(served) == nil)
        connections.headReceived(served)
        #expect(connections.opened(slow) == nil)
        // Over the cap: the slow one goes, not the one being served nor the newcomer.
        #expect(connections.opened(newcomer) === slow)
        #expect(connections.count == 2)
        connections.headReceived(newcomer)
        // Every other connection is being served: the newcomer itself is refused.
        let late = EmbeddedChannel()
        #expect(connections.opened(late) === late)
        connections.responded(served)
        #expect(connections.opened(EmbeddedChannel()) === served)
    }
}
