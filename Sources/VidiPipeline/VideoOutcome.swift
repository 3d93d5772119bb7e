import VidiMedia

/// The result of running every stage on one video: its sample, or why it failed; plus counters for stats.
struct VideoOutcome: Sendable {
    enum Result: Sendable {
        case success(Sample)
        case failure(String)
    }

    var result: Result
    /// Written although damaged (`run.damaged: keep`); its `.json` says what is missing.
    var damaged = false
    var frames: Int
    var stageSeconds: [String: Double]

    /// Runs `stages` in order on `entry` (on the calling worker thread). Never throws: a failing stage
    /// turns into a failure naming the stage and the reason.
    static func process(_ entry: ManifestEntry, stages: [any PipelineStage], limitSeconds: Double?,
                        keepDamaged: Bool, maxSampleBytes: Int, cancellation: CancellationFlag?) -> VideoOutcome {
        let context = VideoContext(entry: entry, key: ShardLayout.key(ofEntry: entry.index), limitSeconds: limitSeconds,
                                   keepsDamaged: keepDamaged, maxSampleBytes: maxSampleBytes, cancellation: cancellation)
        context.needsMotionPass = stages.contains { $0.readsMotionPass }
        var seconds: [String: Double] = [:]
        for stage in stages {
            let start = ContinuousClock.now
            do {
                try context.checkDeadline()
                try stage.process(context)
            } catch {
                seconds[stage.name, default: 0] += (ContinuousClock.now - start).seconds
                return VideoOutcome(result: .failure("\(stage.name): " + withoutPath(entry.path, "\(error)")), frames: context.framesDecoded, stageSeconds: seconds)
            }
            seconds[stage.name, default: 0] += (ContinuousClock.now - start).seconds
        }
        // The decoder keeps going past damage; a dataset should not silently hold half a video.
        var damaged = false
        if let reader = context.shared["reader"] as? VideoReader, !reader.warnings.isEmpty || !reader.undecodableFrames.isEmpty {
            let missing = reader.undecodableFrames.sorted()
            if !keepDamaged {
                var reasons = reader.warnings.map { withoutPath(entry.path, $0) }
                if !missing.isEmpty { reasons.append("\(missing.count) frame(s) could not be decoded") }
                return VideoOutcome(result: .failure("damaged: " + reasons.joined(separator: "; ")),
                                    frames: context.framesDecoded, stageSeconds: seconds)
            }
            damaged = true
            context.metadata["damaged"] = .object([
                "warnings": .array(reader.warnings.map { .string(withoutPath(entry.path, $0)) }),
                "missing_frames": .array(missing.map { .int($0) }),
            ])
        }
        do {
            return VideoOutcome(result: .success(try context.sample()), damaged: damaged, frames: context.framesDecoded, stageSeconds: seconds)
        } catch {
            return VideoOutcome(result: .failure("metadata: \(error)"), frames: context.framesDecoded, stageSeconds: seconds)
        }
    }
}

/// Media errors and warnings start with the file's path for one-line CLI messages; a failure record
/// already names its source, so the reason drops that prefix.
private func withoutPath(_ path: String, _ text: String) -> String {
    text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
}
