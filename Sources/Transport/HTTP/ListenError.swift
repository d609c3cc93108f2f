import Foundation
import NIOCore

/// The HTTP listener could not start (most often: the address is already in use). Restarting would not
/// help, so the host stops with this message and a non-zero exit status.
package struct ListenError: Error, CustomStringConvertible {
    /// `host:port` as configured.
    package var address: String
    /// Why, in words (`Address already in use`).
    package var reason: String

    /// The error for `address`, its reason taken from `underlying` (the system's words for a socket error).
    package init(address: String, underlying: any Error) {
        self.address = address
        if let ioError = underlying as? IOError {
            self.reason = String(cString: strerror(ioError.errnoCode))
        } else {
            self.reason = "\(underlying)"
        }
    }

    /// `cannot listen on 127.0.0.1:5051: Address already in use`.
    package var description: String { "cannot listen on \(address): \(reason)" }
}
