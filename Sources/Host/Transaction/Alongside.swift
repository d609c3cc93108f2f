import Dispatch

/// Runs `other` on another thread while `here` runs on this one, and returns `other`'s result once both are
/// done. For two blocking system calls that may overlap, such as two flushes to disk.
func alongside<T: Sendable>(_ other: @escaping @Sendable () -> T, _ here: () -> Void) -> T {
    let box = ResultBox<T>()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { box.value = other() }
    here()
    group.wait()
    return box.value!
}

/// Written once by the other thread before its group is left, read only after the group is waited on: the
/// group orders the two, so no lock is needed.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
