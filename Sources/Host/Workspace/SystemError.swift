import ApplierAPI
import Foundation

extension ApplyError {
    /// An ``Reason/ioError`` for the current `errno`: `what` failed, with the system's words.
    static func system(_ what: String, errno code: Int32 = errno) -> ApplyError {
        ApplyError(.ioError, "\(what): \(String(cString: strerror(code)))")
    }
}
