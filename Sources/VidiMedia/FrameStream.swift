import Dispatch
import Foundation
import Synchronization

/// Sequential frames as an `AsyncSequence`. Decoding runs on a dedicated `Thread` (blocking FFmpeg work
/// stays off the cooperative pool) that owns its `VideoReader` and hands each frame over as an owned
/// value through a bounded buffer: when `bufferSize` frames wait unconsumed the decoder thread blocks
/// (back-pressure). Ending the iteration early, dropping the iterator or cancelling the consuming task
/// stops the decoder thread at its next packet.
///
/// Each call to `makeAsyncIterator()` starts its own decode from the beginning.
public struct FrameStream: AsyncSequence, Sendable {
    public typealias Element = DecodedFrame

    public let path: String
    public let options: ReaderOptions
    public let output: FrameOutput?
    public let motion: Bool
    public let bufferSize: Int

    public init(path: String, options: ReaderOptions = .init(), output: FrameOutput? = FrameOutput(),
                motion: Bool = false, bufferSize: Int = 8) {
        self.path = path
        self.options = options
        self.output = output
        self.motion = motion
        self.bufferSize = Swift.max(1, bufferSize)
    }

    public func makeAsyncIterator() -> Iterator {
        let channel = FrameChannel(path: path, capacity: bufferSize)
        let (path, options, output, motion) = (path, options, output, motion)
        let thread = Thread {
            Self.produce(path: path, options: options, output: output, motion: motion, into: channel)
        }
        thread.name = "vidi-decode"
        thread.stackSize = 8 << 20
        thread.start()
        return Iterator(channel: channel)
    }

    private struct ConsumerGone: Error {}

    private static func produce(path: String, options: ReaderOptions, output: FrameOutput?, motion: Bool, into channel: FrameChannel) {
        var warnings: [String] = []
        do {
            let reader = try VideoReader(path: path, options: options, externalCancellation: { channel.isCancelled })
            defer { warnings = reader.warnings }
            try reader.forEachFrame(output, motion: motion) { frame in
                guard channel.send(frame) else { throw ConsumerGone() }
            }
            channel.finish(error: nil, warnings: reader.warnings)
        } catch is ConsumerGone {
            channel.finish(error: nil, warnings: warnings)
        } catch {
            channel.finish(error: error, warnings: warnings)
        }
    }

    public final class Iterator: AsyncIteratorProtocol {
        private let channel: FrameChannel

        init(channel: FrameChannel) { self.channel = channel }

        deinit { channel.cancel() }

        /// The reader's warnings, complete once `next()` has returned nil or thrown.
        public var warnings: [String] { channel.warnings }

        public func next() async throws -> DecodedFrame? {
            try await channel.receive()
        }
    }
}

/// A bounded single-producer, single-consumer hand-over from a decoder thread to an async consumer.
final class FrameChannel: Sendable {
    private struct State {
        var buffer: [DecodedFrame] = []
        var head = 0
        var finished = false
        /// The producer's error, thrown to the consumer after the buffered frames (`Error` is Sendable).
        var failure: (any Error)?
        var cancelled = false
        var producerWaiting = false
        var consumer: CheckedContinuation<DecodedFrame?, Error>?
        var warnings: [String] = []

        var count: Int { buffer.count - head }

        mutating func popFirst() -> DecodedFrame? {
            guard head < buffer.count else { return nil }
            let frame = buffer[head]
            head += 1
            if head > 64, head * 2 > buffer.count {
                buffer.removeFirst(head)
                head = 0
            }
            return frame
        }
    }

    private let path: String
    private let capacity: Int
    private let state = Mutex(State())
    /// Signalled when the consumer frees a slot or cancels; the producer thread waits on it.
    private let space = DispatchSemaphore(value: 0)

    init(path: String, capacity: Int) {
        self.path = path
        self.capacity = capacity
    }

    var isCancelled: Bool { state.withLock { $0.cancelled } }
    var warnings: [String] { state.withLock { $0.warnings } }

    /// Producer: hands `frame` over, blocking while the buffer is full. False once the consumer is gone.
    func send(_ frame: sending DecodedFrame) -> Bool {
        while true {
            enum Action { case delivered, resume(CheckedContinuation<DecodedFrame?, Error>), wait, cancelled }
            let action: Action = state.withLock { s in
                if s.cancelled { return .cancelled }
                if let consumer = s.consumer {
                    s.consumer = nil
                    return .resume(consumer)
                }
                if s.count < capacity {
                    s.buffer.append(frame)
                    return .delivered
                }
                s.producerWaiting = true
                return .wait
            }
            switch action {
            case .delivered: return true
            case .cancelled: return false
            case .resume(let consumer):
                consumer.resume(returning: frame)
                return true
            case .wait: space.wait()
            }
        }
    }

    /// Producer: no more frames; `error` (if any) is thrown to the consumer after the buffered frames.
    func finish(error: Error?, warnings: [String]) {
        let consumer: CheckedContinuation<DecodedFrame?, Error>? = state.withLock { s in
            s.finished = true
            s.warnings = warnings
            // A waiting consumer means the buffer is empty: it gets the end (or error) directly.
            if let waiting = s.consumer {
                s.consumer = nil
                return waiting
            }
            if let error { s.failure = error }
            return nil
        }
        if let error { consumer?.resume(throwing: error) } else { consumer?.resume(returning: nil) }
    }

    /// Consumer: the next frame, nil at the end; throws the producer's error or `MediaError.cancelled`.
    func receive() async throws -> DecodedFrame? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<DecodedFrame?, Error>) in
                enum Action { case value(DecodedFrame?, wake: Bool), fail(Error), suspended }
                let action: Action = state.withLock { s in
                    if s.cancelled { return .fail(MediaError.cancelled(path: path)) }
                    if let frame = s.popFirst() {
                        let wake = s.producerWaiting
                        s.producerWaiting = false
                        return .value(frame, wake: wake)
                    }
                    if s.finished {
                        if let failure = s.failure {
                            s.failure = nil
                            return .fail(failure)
                        }
                        return .value(nil, wake: false)
                    }
                    s.consumer = continuation
                    return .suspended
                }
                switch action {
                case .value(let frame, let wake):
                    if wake { space.signal() }
                    continuation.resume(returning: frame)
                case .fail(let error): continuation.resume(throwing: error)
                case .suspended: break
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Consumer gone: drop buffered frames, wake the producer so it sees the flag and stops.
    func cancel() {
        let (consumer, wake): (CheckedContinuation<DecodedFrame?, Error>?, Bool) = state.withLock { s in
            let alreadyDone = s.cancelled
            s.cancelled = true
            s.buffer.removeAll()
            s.head = 0
            let waiting = s.consumer
            s.consumer = nil
            let wake = s.producerWaiting && !alreadyDone
            s.producerWaiting = false
            return (waiting, wake)
        }
        consumer?.resume(throwing: MediaError.cancelled(path: path))
        if wake { space.signal() }
    }
}
