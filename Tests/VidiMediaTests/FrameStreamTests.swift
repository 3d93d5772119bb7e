import Foundation
import Synchronization
import Testing
@testable import VidiMedia

@Suite struct FrameStreamTests {
    @Test func streamDeliversTheSameFramesAsForEachFrame() async throws {
        let path = media("h264-bframes-opengop.mp4")
        var expected: [Frame] = []
        try VideoReader(path: path).forEachFrame(FrameOutput(size: .shorterSide(48))) { if let image = $0.image { expected.append(image) } }
        var streamed: [Frame] = []
        for try await frame in FrameStream(path: path, output: FrameOutput(size: .shorterSide(48)), bufferSize: 3) {
            if let image = frame.image { streamed.append(image) }
        }
        #expect(streamed.count == 75)
        #expect(streamed == expected)
    }

    @Test func motionStreamsToo() async throws {
        let path = media("mpeg4-part2.mp4")
        let expected = try VideoReader(path: path).motionVectors()
        var streamed: [FrameMotion] = []
        for try await frame in FrameStream(path: path, output: nil, motion: true) {
            if let motion = frame.motion { streamed.append(motion) }
            #expect(frame.image == nil)
        }
        #expect(streamed == expected)
    }

    @Test func errorsReachTheConsumer() async {
        let path = media("bad-audio-only.m4a")
        await #expect(throws: MediaError.noVideoStream(path: path)) {
            for try await _ in FrameStream(path: path) {}
        }
    }

    @Test func truncatedStreamEndsWithWarnings() async throws {
        let iterator = FrameStream(path: media("bad-truncated.mp4"), output: nil).makeAsyncIterator()
        var count = 0
        while try await iterator.next() != nil { count += 1 }
        #expect(count == 35)  // ffprobe -show_frames count (BadInputTests)
        #expect(!iterator.warnings.isEmpty)
    }

    @Test func breakingEarlyStopsTheDecoder() async throws {
        let path = media("h264-bframes-opengop.mp4")
        var seen = 0
        for try await _ in FrameStream(path: path, bufferSize: 1) {
            seen += 1
            if seen == 3 { break }
        }
        #expect(seen == 3)
    }

    @Test func cancellingTheConsumingTaskEndsTheStream() async throws {
        let path = media("h264-bframes-opengop.mp4")
        let task = Task { () -> (Int, MediaError?) in
            var seen = 0
            do {
                for try await _ in FrameStream(path: path, bufferSize: 2) {
                    seen += 1
                    if seen == 2 { withUnsafeCurrentTask { $0?.cancel() } }
                }
                return (seen, nil)
            } catch {
                return (seen, error as? MediaError)
            }
        }
        let (seen, error) = await task.value
        #expect(seen == 2)
        #expect(error == .cancelled(path: path))
    }

    @Test func producerWaitsWhenTheBufferIsFull() async throws {
        // A producer thread offers 40 frames to a 2-slot channel; at any point it can be at most one
        // frame past what the consumer took plus the buffer (the frame it is blocked on).
        let channel = FrameChannel(path: "test", capacity: 2)
        let sent = Shared(0)
        let thread = Thread {
            for i in 0..<40 {
                let frame = DecodedFrame(index: i, timestamp: 0, pictureType: .i, isKeyframe: true, image: nil, motion: nil)
                guard channel.send(frame) else { break }
                sent.update { $0 += 1 }
            }
            channel.finish(error: nil, warnings: [])
        }
        thread.start()
        var received: [Int] = []
        while let frame = try await channel.receive() {
            received.append(frame.index)
            try await Task.sleep(for: .milliseconds(2))  // a slow consumer
            #expect(sent.value <= received.count + 2 + 1)
        }
        #expect(received == Array(0..<40))
    }

    @Test func cancellingTheConsumerStopsTheProducer() async throws {
        let channel = FrameChannel(path: "test", capacity: 1)
        let done = Shared(false)
        let thread = Thread {
            var i = 0
            while channel.send(DecodedFrame(index: i, timestamp: 0, pictureType: .p, isKeyframe: false, image: nil, motion: nil)) { i += 1 }
            done.update { $0 = true }
        }
        thread.start()
        _ = try await channel.receive()
        channel.cancel()
        await #expect(throws: MediaError.cancelled(path: "test")) { try await channel.receive() }
        // The producer was blocked on the full buffer; cancel wakes it and send returns false.
        var spins = 0
        while !done.value && spins < 5_000 {
            try await Task.sleep(for: .milliseconds(1))
            spins += 1
        }
        #expect(done.value)
    }
}

/// A value shared between a test and a thread it starts.
final class Shared<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    var value: Value { storage.withLock { $0 } }
    func update(_ body: (inout Value) -> Void) { storage.withLock { body(&$0) } }
}
