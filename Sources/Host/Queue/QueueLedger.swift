import ApplierAPI
import Foundation

/// A queue's bookkeeping, as a pure state machine: which ids it holds and in what state, the order the
/// executor takes them in, where each queued patch's record is in the journal, and which journal
/// generations still hold unfinished patches. No I/O and no waiting: ``PatchQueue`` feeds it events and
/// carries out what they return (retiring journal files, waking whoever waits for an id).
///
/// Finished patches stay here only until the history has them (``recorded(_:)``); older ones are the
/// store's to answer for.
struct QueueLedger {
    /// Where one id stands.
    enum State: Equatable {
        /// Its first delivery is being written to the journal; other deliveries of the id wait for the outcome.
        case reserving
        /// Durable and waiting for the executor.
        case queued(PendingPatch)
        /// Taken by the executor.
        case applying(PendingPatch)
        /// Filed with its receipt at `receipt`, not in the history yet.
        case finished(receipt: URL, status: Receipt.Status)
    }

    struct Entry: Equatable {
        var contentHash: String
        var state: State
    }

    /// What the ledger knows of an id a delivery brings.
    enum Known: Equatable {
        /// Nothing: the store may know it; otherwise it is fresh.
        case unknown
        /// With other content: an `id_conflict`.
        case conflict
        /// Its first delivery is still being written: wait, then ask again.
        case reserving
        /// Queued or applying; its record is in the journal generation given (`nil` once taken).
        case unfinished(generation: UInt64?)
        /// Finished, its receipt at the URL.
        case finished(receipt: URL)
    }

    private(set) var entries: [String: Entry] = [:]
    /// The sequence number the next reservation gets.
    private(set) var nextSequence: UInt64 = 1
    /// Reserved sequences in arrival order; the executor takes the first once it is ready.
    private var order: [UInt64] = []
    private var orderStart = 0
    private var ready: [UInt64: PendingPatch] = [:]
    /// Where each ready patch's body is in the journal.
    private var locations: [UInt64: JournalLocation] = [:]
    /// Unfinished patches per journal generation: a generation at zero can be deleted.
    private var outstanding: [UInt64: Int] = [:]
    /// The generation the journal appends to.
    private(set) var currentGeneration: UInt64 = 0
    /// A paused queue takes patches but the executor takes none.
    var paused = false

    /// Patches reserved and not yet taken by the executor.
    var depth: Int { order.count - orderStart }

    /// The state of `id`, if the ledger holds it.
    func state(of id: String) -> State? { entries[id]?.state }

    /// What a delivery of `id` with content `hash` finds.
    func known(_ id: String, hash: String) -> Known {
        guard let entry = entries[id] else { return .unknown }
        guard entry.contentHash == hash else { return .conflict }
        switch entry.state {
        case .reserving: return .reserving
        case .queued(let pending), .applying(let pending): return .unfinished(generation: locations[pending.sequence]?.generation)
        case .finished(let receipt, _): return .finished(receipt: receipt)
        }
    }

    // MARK: Intake

    /// Reserves the next sequence number for a fresh delivery of `id`.
    /// `attempt` is 1 unless the history holds earlier runs of the id (past the dedup window).
    mutating func reserve(id: String, hash: String, source: Receipt.Source, name: String, receivedAt: Date, attempt: Int = 1) -> PendingPatch {
        let pending = PendingPatch(
            sequence: nextSequence,
            source: source,
            name: name,
            id: id,
            contentHash: hash,
            receivedAt: receivedAt,
            attempt: attempt
        )
        nextSequence += 1
        entries[id] = Entry(contentHash: hash, state: .reserving)
        order.append(pending.sequence)
        return pending
    }

    /// The patch's record is on its way to the journal at `location`: the executor may take it. Returns the
    /// older generations that have nothing left in them once the journal moved on to a new file.
    mutating func publish(_ pending: PendingPatch, at location: JournalLocation) -> [UInt64] {
        ready[pending.sequence] = pending
        locations[pending.sequence] = location
        outstanding[location.generation, default: 0] += 1
        guard location.generation > currentGeneration else { return [] }
        let retired = (currentGeneration..<location.generation).filter { outstanding[$0] == nil }
        currentGeneration = location.generation
        return retired
    }

    /// The patch's record is durable: the id is known for good. The executor may have taken, or finished,
    /// the patch meanwhile; a finished one keeps its state.
    mutating func commit(_ pending: PendingPatch) {
        guard case .reserving = entries[pending.id]?.state else { return }
        entries[pending.id]?.state = ready[pending.sequence] != nil ? .queued(pending) : .applying(pending)
    }

    /// The patch's record could not be written: the id is let go. `published` says whether it reached
    /// ``publish(_:at:)``.
    mutating func abandon(_ pending: PendingPatch, published: Bool) {
        entries[pending.id] = nil
        if let index = order[orderStart...].firstIndex(of: pending.sequence) { order.remove(at: index) }
        guard published else { return }
        ready[pending.sequence] = nil
        if let generation = locations.removeValue(forKey: pending.sequence)?.generation { release(generation) }
    }

    // MARK: Executor

    /// The patches queued right behind the head, in order, as long as they are ready and not `excluded`.
    func readyAfterHead(limit: Int, excluded: (UInt64) -> Bool) -> [(PendingPatch, JournalLocation)] {
        var found: [(PendingPatch, JournalLocation)] = []
        var index = orderStart
        while found.count < limit, index < order.count, let pending = ready[order[index]], !excluded(pending.sequence),
            let location = locations[pending.sequence]
        {
            found.append((pending, location))
            index += 1
        }
        return found
    }

    /// Whether the head of the queue is `sequence`, ready to take.
    func headIs(_ sequence: UInt64) -> Bool {
        orderStart < order.count && order[orderStart] == sequence && ready[sequence] != nil
    }

    /// Takes the head of the queue if it is ready. A patch whose record is not durable yet
    /// (`keepsReservation`) stays `reserving`, so a duplicate delivery waits for the outcome.
    mutating func takeNext(keepsReservation: (UInt64) -> Bool) -> (PendingPatch, JournalLocation)? {
        guard !paused, orderStart < order.count, let pending = ready.removeValue(forKey: order[orderStart]),
            let location = locations.removeValue(forKey: pending.sequence)
        else { return nil }
        orderStart += 1
        if orderStart > 1024 && orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
        if !keepsReservation(pending.sequence) { entries[pending.id]?.state = .applying(pending) }
        return (pending, location)
    }

    /// Takes the queued patch `id` out of the order, to be filed as cancelled: it is then `applying` until
    /// ``finish(_:receipt:status:)``. `nil` when `id` is not queued (reserving, applying, finished or unknown).
    mutating func cancel(_ id: String) -> (PendingPatch, JournalLocation)? {
        guard case .queued(let pending)? = entries[id]?.state, let location = locations.removeValue(forKey: pending.sequence) else {
            return nil
        }
        ready[pending.sequence] = nil
        if let index = order[orderStart...].firstIndex(of: pending.sequence) { order.remove(at: index) }
        entries[id]?.state = .applying(pending)
        return (pending, location)
    }

    /// The patch was filed with its receipt at `receipt`.
    mutating func finish(_ pending: PendingPatch, receipt: URL, status: Receipt.Status) {
        entries[pending.id]?.state = .finished(receipt: receipt, status: status)
    }

    /// The checkpoint made the receipts of these patches durable. Returns the generations left with no
    /// unfinished patch (the current one excepted: the journal still appends to it).
    mutating func checkpointed(_ generations: [UInt64]) -> [UInt64] {
        generations.filter { release($0) && $0 != currentGeneration }
    }

    /// These finished patches are in the history now: the store answers for them.
    mutating func recorded(_ ids: [String]) {
        for id in ids {
            if case .finished = entries[id]?.state { entries[id] = nil }
        }
    }

    /// Whether the journal's current generation holds no unfinished patch.
    var currentGenerationIsEmpty: Bool { outstanding[currentGeneration] == nil }

    /// Counts one patch of `generation` as done; true when none is left.
    @discardableResult
    private mutating func release(_ generation: UInt64) -> Bool {
        outstanding[generation, default: 1] -= 1
        guard outstanding[generation] == 0 else { return false }
        outstanding[generation] = nil
        return true
    }

    // MARK: Start

    /// Queues a journaled patch again at start. False when its id is already held (journaled twice).
    mutating func restore(_ record: JournalRecord) -> Bool {
        let patch = record.patch
        noteSequence(patch.sequence)
        guard entries[patch.id] == nil else { return false }
        entries[patch.id] = Entry(contentHash: patch.contentHash, state: .queued(patch))
        order.append(patch.sequence)
        ready[patch.sequence] = patch
        locations[patch.sequence] = record.location
        outstanding[record.location.generation, default: 0] += 1
        return true
    }

    /// A sequence number seen on disk: later reservations never reuse it.
    mutating func noteSequence(_ sequence: UInt64) {
        nextSequence = max(nextSequence, sequence + 1)
    }

    /// The journal opened `generation` for new records. Returns the generations on disk with no unfinished
    /// patch, to delete.
    mutating func startIntake(generation: UInt64, onDisk: [UInt64]) -> [UInt64] {
        currentGeneration = generation
        return onDisk.filter { outstanding[$0] == nil && $0 != generation }
    }

    /// Whether `sequence` is queued under `id` (and not taken): a patch recovery may settle.
    func isQueued(_ sequence: UInt64, id: String) -> Bool {
        guard ready[sequence]?.id == id, case .queued = entries[id]?.state else { return false }
        return true
    }

    /// The patches not taken yet, in order.
    var unfinished: [PendingPatch] { order[orderStart...].compactMap { ready[$0] } }

    /// The first `limit` patches not taken yet, in order, without walking the whole queue.
    func unfinished(limit: Int) -> [PendingPatch] {
        var found: [PendingPatch] = []
        var index = orderStart
        while found.count < limit, index < order.count {
            if let pending = ready[order[index]] { found.append(pending) }
            index += 1
        }
        return found
    }
}
