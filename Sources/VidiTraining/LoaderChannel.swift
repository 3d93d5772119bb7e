import Dispatch
import Foundation
import Synchronization

/// What the shard-reading thread sends down the pipeline, in order.
enum StreamItem: Sendable {
    case sample(RawSample, epoch: Int, index: Int)
    case epochEnd(epoch: Int)
    case finished
    case failed(TrainingError)
}

/// What the consumer receives, in the same order: samples decoded (or the reason they could not be).
enum ReadyItem: Sendable {
    case sample(Result<DecodedSample, TrainingError>, epoch: Int, index: Int)
    case epochEnd(epoch: Int)
    case finished
    case failed(TrainingError)
}

/// The bounded, order-keeping hand-over between the reading thread, the decode threads and the consumer.
///
/// Items get sequence numbers as they enter; decoders take them in that order, but may finish out of
/// order, so results wait in `ready` until the consumer asks for their number. Memory is bounded twice:
/// `slots` caps items waiting for a decoder, `window` caps items taken by decoders but not yet consumed.
/// The consumer's next number is always waiting, being decoded or ready, so the window cannot deadlock.
/// Semaphores start at zero and are signalled up to their capacity (libdispatch traps when a semaphore
/// is freed below its initial value).
final class LoaderChannel: Sendable {
    private struct State {
        var waiting: [(Int, StreamItem)] = []
        var head = 0
        var nextSequence = 0
        var ready: [Int: ReadyItem] = [:]
        var nextDelivery = 0
    }
    private let state = Mutex(State())
    private let slots = DispatchSemaphore(value: 0)
    private let waitingCount = DispatchSemaphore(value: 0)
    private let window = DispatchSemaphore(value: 0)
    private let readyCount = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    let report = Mutex(ReaderReport())

    init(capacity: Int, window windowSize: Int) {
        for _ in 0..<capacity { slots.signal() }
        for _ in 0..<windowSize { window.signal() }
    }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Producer side: blocks while `capacity` items wait; false once the channel is stopping.
    func put(_ item: StreamItem) -> Bool {
        slots.wait()
        guard !isStopping else { return false }
        state.withLock { state in
            state.waiting.append((state.nextSequence, item))
            state.nextSequence += 1
        }
        waitingCount.signal()
        return true
    }

    /// Decoder side: the next waiting item with its number, nil once stopping.
    func take() -> (Int, StreamItem)? {
        window.wait()
        waitingCount.wait()
        guard !isStopping else { return nil }
        let item = state.withLock { state -> (Int, StreamItem) in
            let item = state.waiting[state.head]
            state.head += 1
            // Compact now and then so the array does not grow with the stream.
            if state.head > 1024, state.head * 2 > state.waiting.count {
                state.waiting.removeFirst(state.head)
                state.head = 0
            }
            return item
        }
        slots.signal()
        return item
    }

    func finish(_ sequence: Int, _ item: ReadyItem) {
        state.withLock { $0.ready[sequence] = item }
        readyCount.signal()
    }

    /// Consumer side: the next item in order (blocks until it is decoded).
    func next() -> ReadyItem {
        while true {
            let item = state.withLock { state -> ReadyItem? in
                guard let item = state.ready.removeValue(forKey: state.nextDelivery) else { return nil }
                state.nextDelivery += 1
                return item
            }
            if let item {
                window.signal()
                return item
            }
            readyCount.wait()
        }
    }

    /// Wakes every blocked thread so it sees `isStopping` and returns.
    func stop(threads: Int) {
        stopping.store(true, ordering: .releasing)
        for _ in 0...threads {
            slots.signal()
            waitingCount.signal()
            window.signal()
        }
    }
}
