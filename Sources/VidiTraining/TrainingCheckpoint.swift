import Foundation
import VidiNN
import VidiTensor

/// Where a training run is, besides its weights: what a checkpoint stores so `--resume` continues exactly.
public struct TrainingState: Sendable, Equatable {
    /// Optimizer steps taken.
    public var step: Int
    /// Samples trained on.
    public var samples: Int
    /// The training reader's position after the last batch of `step`.
    public var position: ReaderPosition
    /// The trainer's generator (augmentation, sampling in the loss), as it is after `step`.
    public var generator: RandomGenerator
    /// The step of the last validation (-1: none), so a resumed run neither repeats nor skips one.
    public var validatedStep: Int

    public init(step: Int = 0, samples: Int = 0, position: ReaderPosition = ReaderPosition(), generator: RandomGenerator,
                validatedStep: Int = -1) {
        self.step = step
        self.samples = samples
        self.position = position
        self.generator = generator
        self.validatedStep = validatedStep
    }

    public static func == (a: TrainingState, b: TrainingState) -> Bool {
        a.step == b.step && a.samples == b.samples && a.position == b.position && a.generator.state == b.generator.state
            && a.validatedStep == b.validatedStep
    }
}

/// One safetensors file per checkpoint, `step-00000100.safetensors`, written atomically (temporary file,
/// then rename), holding:
/// - `model.<state-dict name>`: every parameter and buffer (PyTorch names after the prefix);
/// - `optimizer.<index>.<name>`: every optimizer state tensor (`exp_avg`, `momentum_buffer`, `step`, ...);
/// - `trainer.step`, `trainer.samples`, `trainer.validated_step`, `reader.epoch`, `reader.sample`: int64 scalars;
/// - `rng.trainer` and `rng.module.<module path>`: xoshiro256** states (int64[4], bit patterns) of the
///   trainer's generator and of every `RandomStateModule` (dropout);
/// and metadata naming the format and the optimizer's type.
public enum TrainingCheckpoint {
    public static let format = "vidi-training-checkpoint-1"

    /// `<directory>/step-<8 digits>.safetensors`.
    public static func path(in directory: String, step: Int) -> String {
        (directory as NSString).appendingPathComponent(String(format: "step-%08d.safetensors", step))
    }

    /// The checkpoint with the highest step in `directory`, if any.
    public static func latest(in directory: String) -> String? {
        steps(in: directory).last.map { path(in: directory, step: $0) }
    }

    static func steps(in directory: String) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("step-"), name.hasSuffix(".safetensors") else { return nil }
            return Int(name.dropFirst(5).dropLast(12))
        }.sorted()
    }

    /// Writes a checkpoint atomically and keeps only the newest `keep` ones in its directory.
    public static func save(model: Module, optimizer: any Optimizer, state: TrainingState, directory: String,
                            keep: Int = 2, metadata extra: [String: String] = [:]) throws -> String {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.checkpoint(path: directory, reason: "cannot create the directory: \(error.localizedDescription)")
        }
        let path = path(in: directory, step: state.step)
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in model.stateDict() { tensors["model." + name] = tensor }
        for (name, tensor) in optimizer.stateTensors { tensors["optimizer." + name] = tensor }
        tensors["trainer.step"] = Tensor(scalar: Int64(state.step))
        tensors["trainer.samples"] = Tensor(scalar: Int64(state.samples))
        tensors["trainer.validated_step"] = Tensor(scalar: Int64(state.validatedStep))
        tensors["reader.epoch"] = Tensor(scalar: Int64(state.position.epoch))
        tensors["reader.sample"] = Tensor(scalar: Int64(state.position.sample))
        tensors["rng.trainer"] = try words(state.generator)
        for (name, module) in randomModules(model) { tensors["rng.module." + name] = try words(module.generator) }
        var metadata = extra
        metadata["format"] = format
        metadata["optimizer"] = String(describing: type(of: optimizer))
        do {
            try Safetensors.write(tensors, metadata: metadata, to: path)
        } catch {
            throw TrainingError.checkpoint(path: path, reason: "cannot write: \(error)")
        }
        for old in steps(in: directory).dropLast(max(1, keep)) {
            try? FileManager.default.removeItem(atPath: Self.path(in: directory, step: old))
        }
        return path
    }

    /// Restores model, optimizer and module generators from `path`; returns the run's state. Nothing is
    /// changed when the checkpoint does not fit (strict names and shapes, same optimizer type).
    public static func load(path: String, model: Module, optimizer: any Optimizer) throws -> TrainingState {
        let file: SafetensorsFile
        let tensors: [String: Tensor]
        do {
            file = try SafetensorsFile(path: path)
            tensors = try file.tensors()
        } catch {
            throw TrainingError.checkpoint(path: path, reason: "\(error)")
        }
        guard file.metadata?["format"] == format else {
            throw TrainingError.checkpoint(path: path, reason: "not a Vidi training checkpoint (metadata format \(file.metadata?["format"] ?? "missing"))")
        }
        let optimizerType = String(describing: type(of: optimizer))
        guard file.metadata?["optimizer"] == optimizerType else {
            throw TrainingError.checkpoint(path: path, reason: "saved by a \(file.metadata?["optimizer"] ?? "?") optimizer, not \(optimizerType)")
        }
        func scalar(_ key: String) throws -> Int {
            guard let tensor = tensors[key], tensor.dtype == .int64, tensor.elementCount == 1 else {
                throw TrainingError.checkpoint(path: path, reason: "missing int64 scalar '\(key)'")
            }
            return Int(try tensor.item(Int64.self))
        }
        let state = TrainingState(step: try scalar("trainer.step"), samples: try scalar("trainer.samples"),
                                  position: ReaderPosition(epoch: try scalar("reader.epoch"), sample: try scalar("reader.sample")),
                                  generator: try generator(tensors["rng.trainer"], "rng.trainer", path),
                                  validatedStep: try scalar("trainer.validated_step"))
        var moduleGenerators: [(RandomStateModule, RandomGenerator)] = []
        for (name, module) in randomModules(model) {
            moduleGenerators.append((module, try generator(tensors["rng.module." + name], "rng.module." + name, path)))
        }
        var modelTensors: [String: Tensor] = [:], optimizerTensors: [String: Tensor] = [:]
        for (key, tensor) in tensors {
            if key.hasPrefix("model.") { modelTensors[String(key.dropFirst(6))] = tensor }
            if key.hasPrefix("optimizer.") { optimizerTensors[String(key.dropFirst(10))] = tensor }
        }
        // Parameters first (validated as a whole), then the optimizer, whose check needs no rollback of the
        // model: on its failure the caller's run stops anyway.
        do {
            try model.loadStateDict(modelTensors, strict: true)
            try optimizer.loadState(optimizerTensors)
        } catch {
            throw TrainingError.checkpoint(path: path, reason: "\(error)")
        }
        for (module, generator) in moduleGenerators { module.generator = generator }
        return state
    }

    static func randomModules(_ model: Module) -> [(String, RandomStateModule)] {
        model.namedModules().compactMap { name, module in
            (module as? RandomStateModule).map { (name.isEmpty ? "root" : name, $0) }
        }
    }

    private static func words(_ generator: RandomGenerator) throws -> Tensor {
        try Tensor(generator.state.map { Int64(bitPattern: $0) }, shape: [4])
    }

    private static func generator(_ tensor: Tensor?, _ key: String, _ path: String) throws -> RandomGenerator {
        guard let tensor, tensor.dtype == .int64, tensor.shape == [4] else {
            throw TrainingError.checkpoint(path: path, reason: "missing int64[4] generator state '\(key)'")
        }
        return try RandomGenerator(state: try tensor.toArray(Int64.self).map { UInt64(bitPattern: $0) })
    }
}
