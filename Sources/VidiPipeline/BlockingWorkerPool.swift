import Dispatch
import Foundation
import Synchronization

/// A fixed set of dedicated threads for blocking work (FFmpeg decode, model inference, file I/O), so it
/// never occupies the cooperative pool's few threads. Jobs run in submission order as threads free up.
/// Each thread owns a `WorkerModels`, handed to the jobs it runs, for state that must stay on one
/// thread (model instances).
final class BlockingWorkerPool: Sendable {
    private let jobs = Mutex<[@Sendable (WorkerModels) -> Void]>([])
    private let available = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    let threadCount: Int

    init(threads: Int, name: String = "vidi-worker") {
        threadCount = max(1, threads)
        for index in 0..<threadCount {
            let thread = Thread { [self] in self.loop() }
            thread.name = "\(name)-\(index)"
            thread.stackSize = 16 << 20  // decoders recurse; be generous
            thread.start()
        }
    }

    private func loop() {
        let models = WorkerModels()
        while true {
            available.wait()
            let job = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            if let job { job(models) } else if stopping.load(ordering: .acquiring) { return }
        }
    }

    /// Runs `body` on a pool thread and resumes the caller with its result.
    func run<T: Sendable>(_ body: @escaping @Sendable (WorkerModels) -> T) async -> T {
        await withCheckedContinuation { continuation in
            jobs.withLock { $0.append { models in continuation.resume(returning: body(models)) } }
            available.signal()
        }
    }

    /// Lets the threads exit once the queue is empty.
    func shutdown() {
        stopping.store(true, ordering: .releasing)
        for _ in 0..<threadCount { available.signal() }
    }
}

/// The model instances of one worker thread, by stage position, built on first use and freed when the
/// thread ends with the run. Never leaves its thread.
final class WorkerModels {
    private var instances: [Int: Any] = [:]

    func model<Model>(forStage index: Int, make: () throws -> Model) throws -> Model {
        if let existing = instances[index] as? Model { return existing }
        let model = try make()
        instances[index] = model
        return model
    }
}
