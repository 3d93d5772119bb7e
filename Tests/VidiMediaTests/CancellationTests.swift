import Testing
import VidiMedia

/// Cooperative cancellation and the deadline stop long calls with `.cancelled` / `.timedOut`.
@Suite struct CancellationTests {
    @Test func pastDeadlineTimesOut() throws {
        let path = media("h264-bframes-opengop.mp4")
        let reader = try VideoReader(path: path)
        let late = try VideoReader(path: path, options: ReaderOptions(deadline: .now + .seconds(3600)))
        #expect(late.info == reader.info)
        do {
            _ = try VideoReader(path: path, options: ReaderOptions(deadline: .now - .seconds(1)))
            Issue.record("expected a timeout")
        } catch let error as MediaError {
            guard case .timedOut(let failedPath, _) = error else { Issue.record("got \(error)"); return }
            #expect(failedPath == path)
        }
    }

    @Test func deadlinePassingMidDecodeStopsForEachFrame() throws {
        let path = media("h264-bframes-opengop.mp4")
        let deadline = ContinuousClock.now + .seconds(1)
        let reader = try VideoReader(path: path, options: ReaderOptions(deadline: deadline))
        var seen = 0
        do {
            try reader.forEachFrame(FrameOutput()) { _ in
                seen += 1
                if seen == 5 { while ContinuousClock.now < deadline {} }  // the deadline passes mid-decode
            }
            Issue.record("expected a timeout")
        } catch let error as MediaError {
            guard case .timedOut = error else { Issue.record("got \(error)"); return }
        }
        #expect(seen >= 5 && seen < 75)
    }

    @Test func cancelledTaskStopsDecoding() async throws {
        let path = media("h264-bframes-opengop.mp4")
        let task = Task.detached { () -> MediaError? in
            withUnsafeCurrentTask { $0?.cancel() }
            do {
                let reader = try VideoReader(path: path)
                try reader.forEachFrame(FrameOutput()) { _ in }
                return nil
            } catch let error as MediaError {
                return error
            } catch {
                return nil
            }
        }
        #expect(await task.value == .cancelled(path: path))
    }
}
