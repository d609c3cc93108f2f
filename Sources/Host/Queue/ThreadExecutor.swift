import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A task executor with one OS thread of its own, running below normal priority.
///
/// A queue's executor applies patches on it: the blocking file I/O of applying (reads, fsyncs) never
/// occupies a thread of the cooperative pool, and under a burst the scheduler favours the threads that
/// acknowledge deliveries over the one applying them. Patches still apply in order, one at a time.
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    // The job list is shared by enqueuing threads and the executor's thread: a lock is what it needs.
    private let jobs = Mutex<[UnownedJob]>([])
    private let ready = DispatchSemaphore(value: 0)

    /// Starts the thread; `niceness` is added to its scheduling priority (Linux: per thread).
    init(name: String, niceness: Int32 = 10) {
        let thread = Thread { [self] in
            #if os(Linux)
            // On Linux the nice value is per thread; who = 0 is the calling thread.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
            #endif
            while true {
                ready.wait()
                guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        ready.signal()
    }
}
