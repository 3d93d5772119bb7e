import VidiMedia

/// The result of running every stage on one video: its sample (and its records for run-level outputs),
/// or why it failed; plus counters for stats.
struct VideoOutcome: Sendable {
    enum Result: Sendable {
        case success(Sample, records: [String: [UInt8]])
        case failure(String)
    }

    var result: Result
    /// Written although damaged (`run.damaged: keep`); its `.json` says what is missing.
    var damaged = false
    var frames: Int
    var stageSeconds: [String: Double]
}

/// How a worker runs the stages over a group of consecutive videos of one shard (the batch a model
/// stage sees). Stages run in spec order; plain stages video by video, model stages once over the
/// videos still alive. A failing stage fails its video (or, for a model call, its batch) and the rest
/// go on. Never throws.
struct GroupProcessor {
    let stages: [any PipelineStage]
    let limitSeconds: Double?
    let keepDamaged: Bool
    let maxSampleBytes: Int
    let cancellation: CancellationFlag?

    /// One context per video, set up for these stages.
    func contexts(for entries: [ManifestEntry]) -> [VideoContext] {
        let framesToKeep = Set(stages.flatMap(\.consumes).map { key -> String in
            switch key { case .frames(let name): return name }
        })
        let opensWithFrameIndex = stages.contains { $0.needsFrameIndex }
        return entries.map { entry in
            let context = VideoContext(entry: entry, key: ShardLayout.key(ofEntry: entry.index), limitSeconds: limitSeconds,
                                       keepsDamaged: keepDamaged, maxSampleBytes: maxSampleBytes, cancellation: cancellation)
            context.framesToKeep = framesToKeep
            context.opensWithFrameIndex = opensWithFrameIndex
            return context
        }
    }

    func process(_ entries: [ManifestEntry], models: WorkerModels) -> [VideoOutcome] {
        let contexts = contexts(for: entries)
        var failures: [String?] = Array(repeating: nil, count: contexts.count)
        var seconds: [[String: Double]] = Array(repeating: [:], count: contexts.count)

        for (position, stage) in stages.enumerated() {
            if let modelStage = stage as? any ModelStage {
                runModel(modelStage, position: position, contexts, &failures, &seconds, models)
                continue
            }
            for (i, context) in contexts.enumerated() where failures[i] == nil {
                let start = ContinuousClock.now
                do {
                    try context.checkDeadline()
                    try stage.process(context)
                } catch {
                    failures[i] = "\(stage.name): " + withoutPath(context.path, "\(error)")
                }
                seconds[i][stage.name, default: 0] += (ContinuousClock.now - start).seconds
            }
        }
        return contexts.indices.map { i in
            finish(contexts[i], failure: failures[i], seconds: seconds[i])
        }
    }

    /// A model stage over the alive videos: `prepare` per video, then one batched call with this
    /// worker's instance; the call's time is shared evenly among the batch.
    private func runModel<S: ModelStage>(_ stage: S, position: Int, _ contexts: [VideoContext],
                                         _ failures: inout [String?], _ seconds: inout [[String: Double]],
                                         _ models: WorkerModels) {
        var batch: [Int] = []
        for (i, context) in contexts.enumerated() where failures[i] == nil {
            let start = ContinuousClock.now
            do {
                try context.checkDeadline()
                try stage.prepare(context)
                batch.append(i)
            } catch {
                failures[i] = "\(stage.name): " + withoutPath(context.path, "\(error)")
            }
            seconds[i][stage.name, default: 0] += (ContinuousClock.now - start).seconds
        }
        guard !batch.isEmpty else { return }
        let start = ContinuousClock.now
        do {
            let model = try models.model(forStage: position) { try stage.makeModel() }
            try stage.process(batch: batch.map { contexts[$0] }, with: model)
        } catch {
            for i in batch { failures[i] = "\(stage.name): \(error)" }
        }
        let share = (ContinuousClock.now - start).seconds / Double(batch.count)
        for i in batch { seconds[i][stage.name, default: 0] += share }
    }

    private func finish(_ context: VideoContext, failure: String?, seconds: [String: Double]) -> VideoOutcome {
        let frames = context.framesDecoded
        if let failure { return VideoOutcome(result: .failure(failure), frames: frames, stageSeconds: seconds) }
        // The decoder keeps going past damage; a dataset should not silently hold half a video.
        var damaged = false
        if let reader = context.openedReader, !reader.warnings.isEmpty || !reader.undecodableFrames.isEmpty {
            let missing = reader.undecodableFrames.sorted()
            if !keepDamaged {
                var reasons = reader.warnings.map { withoutPath(context.path, $0) }
                if !missing.isEmpty { reasons.append("\(missing.count) frame(s) could not be decoded") }
                return VideoOutcome(result: .failure("damaged: " + reasons.joined(separator: "; ")), frames: frames, stageSeconds: seconds)
            }
            damaged = true
            context.metadata["damaged"] = .object([
                "warnings": .array(reader.warnings.map { .string(withoutPath(context.path, $0)) }),
                "missing_frames": .array(missing.map { .int($0) }),
            ])
        }
        do {
            return VideoOutcome(result: .success(try context.sample(), records: context.runRecords), damaged: damaged,
                                frames: frames, stageSeconds: seconds)
        } catch {
            return VideoOutcome(result: .failure("metadata: \(error)"), frames: frames, stageSeconds: seconds)
        }
    }
}

/// Media errors and warnings start with the file's path for one-line CLI messages; a failure record
/// already names its source, so the reason drops that prefix.
private func withoutPath(_ path: String, _ text: String) -> String {
    text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
}
