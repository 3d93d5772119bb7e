import ArgumentParser
import Foundation
import VidiRetrieval
import VidiTensor

/// `vidi train retrieval`: DRL-style training (WTI or TI, seqTransf, symmetric loss + CDCR).
struct TrainRetrievalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Train a text-video retrieval model (DRL: WTI/TI, temporal transformer, symmetric loss + CDCR).",
        discussion: """
            From videos: --annotations A.json (MSR-VTT layout) --videos DIR (files <video_id>.mp4): CLIP's \
            encoders and DRL's head are trained end to end on frames sampled at 1 fps (at most --frames). \
            From precomputed features: --text-features T.npy (N x N_t x D) [--text-mask] --video-features \
            V.npy (N x N_v x D) [--video-mask], pair i matching: only DRL's head (weight branches, temporal \
            transformer, logit scale) is trained. --init starts from a checkpoint (OpenAI CLIP or DRL layout); \
            otherwise a new small CLIP is built (--width, --layers, --resolution, --patch). The result keeps \
            DRL's key names.
            """)

    @Option(help: "MSR-VTT-layout captions (.json).") var annotations: String?
    @Option(help: "Folder of the videos named by video_id.") var videos: String?
    @Option(name: .customLong("text-features")) var textFeatures: String?
    @Option(name: .customLong("text-mask")) var textMask: String?
    @Option(name: .customLong("video-features")) var videoFeatures: String?
    @Option(name: .customLong("video-mask")) var videoMask: String?
    @Option(help: "Checkpoint to start from.") var initial: String?
    @Option(help: "Output checkpoint (.safetensors).") var out: String
    @Option var steps = 300
    @Option(name: .customLong("batch-size")) var batchSize = 32
    @Option(name: .customLong("lr")) var learningRate: Float = 1e-3
    @Option var seed: UInt64 = 0
    @Option(help: "wti or ti.") var interaction = "wti"
    @Option(name: .customLong("cdcr-lambda")) var cdcrLambda: Float = 0.001
    @Option(name: .customLong("cdcr-alpha1")) var cdcrAlpha1: Float = 0.14
    @Option(help: "Frames per video at most.") var frames = 12
    @Option(help: "New model: transformer width (multiple of 64).") var width = 64
    @Option(help: "New model: layers of each encoder.") var layers = 2
    @Option(help: "New model: input resolution.") var resolution = 32
    @Option(help: "New model: patch size.") var patch = 8
    @Option(name: .customLong("temporal-layers"), help: "New model: temporal transformer layers (seqTransf).") var temporalLayers = 1
    @Flag(name: .customLong("float16"), help: "Store the checkpoint as float16.") var float16 = false

    func run() throws {
        try RetrievalCommand.run("train retrieval") {
            guard let kind = Interaction(rawValue: interaction) else { throw ValidationError("--interaction must be wti or ti") }
            var generator = RandomGenerator(seed: seed)
            let model: DRLModel
            if let initial {
                model = try DRLModel.load(path: initial)
            } else {
                let clip = CLIPModel.Configuration(embedDim: width, vision: .init(resolution: resolution, patchSize: patch, width: width, layers: layers),
                                                   text: .init(contextLength: 77, vocabularySize: 49408, width: width, layers: layers))
                model = DRLModel(.init(width: width, weightBranchLayers: 2, temporalLayers: temporalLayers, framePositions: 77, clip: clip),
                                 generator: &generator)
            }
            var options = RetrievalTrainer.Options()
            options.learningRate = learningRate
            options.interaction = kind
            options.cdcr = ChannelDecorrelation(alpha1: cdcrAlpha1, alpha2: 0)
            options.cdcrLambda = cdcrLambda
            let trainer = try RetrievalTrainer(model: model, options: options)
            if let annotations, let videos {
                try trainFromVideos(trainer, annotations: annotations, folder: videos, generator: &generator)
            } else if let textFeatures, let videoFeatures {
                try trainFromFeatures(trainer, text: textFeatures, video: videoFeatures, generator: &generator)
            } else {
                throw ValidationError("give --annotations with --videos, or --text-features with --video-features")
            }
            try CheckpointIO.save(model, to: out, halfPrecision: float16,
                                  metadata: ["trained_by": "vidi train retrieval", "interaction": kind.rawValue, "steps": String(steps), "seed": String(seed)])
            MediaCommand.printLine("\(out): \(model.parameterCount) parameters")
        }
    }

    func schedule(_ step: Int) -> Float {
        let warmup = max(1, steps / 20)
        if step < warmup { return learningRate * Float(step + 1) / Float(warmup) }
        let progress = Float(step - warmup) / Float(max(1, steps - warmup))
        return learningRate * 0.5 * (1 + cos(.pi * progress))
    }

    func log(_ step: Int, _ loss: Float, _ start: Date) {
        if step < 3 || (step + 1) % 20 == 0 || step + 1 == steps || !loss.isFinite {
            FileHandle.standardError.write(Data(String(format: "step %d/%d  loss %.4f  %.1f s\n", step + 1, steps, loss, Date().timeIntervalSince(start)).utf8))
        }
    }

    func trainFromVideos(_ trainer: RetrievalTrainer, annotations: String, folder: String, generator: inout RandomGenerator) throws {
        let data = try CaptionedVideos(path: annotations)
        guard let resolution = trainer.model.clip.configuration.vision?.resolution else { throw RetrievalError.checkpoint("the model has no image encoder") }
        let tokenizer = try CLIPTokenizer()
        // Decode and preprocess every clip once.
        var clips: [(Tensor, Int)] = []
        for id in data.videoIds {
            let (images, _) = try MediaInput.videoFrames(path: CaptionedVideos.videoPath(id, in: folder), resolution: resolution, maxFrames: frames)
            let n = images.shape[0]
            let padded = n < frames ? try Tensor.concatenate([images, Tensor.zeros([frames - n, 3, resolution, resolution])], axis: 0) : images
            clips.append((padded, n))
        }
        FileHandle.standardError.write(Data("train retrieval: \(clips.count) clips decoded\n".utf8))
        let b = min(batchSize, clips.count)
        guard b >= 2 else { throw RetrievalError.invalidArgument("training needs at least 2 videos") }
        var order: [Int] = [], cursor = 0
        let start = Date()
        for step in 0..<steps {
            var batch: [Int] = []
            while batch.count < b {
                if cursor >= order.count { order = Array(0..<clips.count); order.shuffle(using: &generator); cursor = 0 }
                batch.append(order[cursor]); cursor += 1
            }
            let images = try Tensor.stack(batch.map { clips[$0].0 }, axis: 0)
            let frameMask = try Tensor(batch.flatMap { k in (0..<frames).map { $0 < clips[k].1 ? Float(1) : 0 } }, shape: [b, frames])
            let captions = batch.map { k -> String in
                let list = data.captions[data.videoIds[k]] ?? [""]
                return list[generator.nextIndex(below: list.count)]
            }
            let rows = try captions.map { try tokenizer.tokenize($0, contextLength: 32) }
            let length = rows.map(\.count).max() ?? 2
            var ids = [Int64](repeating: 0, count: b * length), mask = [Float](repeating: 0, count: b * length)
            for (r, row) in rows.enumerated() { for (k, id) in row.enumerated() { ids[r * length + k] = Int64(id); mask[r * length + k] = 1 } }
            trainer.learningRate = schedule(step)
            let loss = try trainer.step(images: images, frameMask: frameMask, ids: Tensor(elements: ids, shape: [b, length]),
                                        textMask: Tensor(mask, shape: [b, length]))
            log(step, loss, start)
        }
    }

    func trainFromFeatures(_ trainer: RetrievalTrainer, text: String, video: String, generator: inout RandomGenerator) throws {
        let t = try TokenFeatures(Tensor.readNPY(path: text).to(.float32), mask: textMask.map { try Tensor.readNPY(path: $0) }, name: text)
        let v = try TokenFeatures(Tensor.readNPY(path: video).to(.float32), mask: videoMask.map { try Tensor.readNPY(path: $0) }, name: video)
        guard t.batch == v.batch else { throw RetrievalError.shape("\(t.batch) texts and \(v.batch) videos: pair i must match") }
        let b = min(batchSize, t.batch)
        guard b >= 2 else { throw RetrievalError.invalidArgument("training needs at least 2 pairs") }
        let start = Date()
        for step in 0..<steps {
            var all = Array(0..<t.batch); all.shuffle(using: &generator)
            let index = try Tensor(elements: all.prefix(b).map(Int64.init), shape: [b])
            let tb = try TokenFeatures(t.features.indexSelect(axis: 0, indices: index), mask: t.mask.indexSelect(axis: 0, indices: index))
            let vb = try TokenFeatures(v.features.indexSelect(axis: 0, indices: index), mask: v.mask.indexSelect(axis: 0, indices: index))
            trainer.learningRate = schedule(step)
            trainer.model.train()
            let loss = try trainer.model.loss(text: tb, video: vb, interaction: trainer.options.interaction, cdcr: trainer.options.cdcr,
                                              lambda: trainer.options.cdcrLambda)
            trainer.model.zeroGrad()
            try loss.backward()
            try trainer.stepOptimizer()
            log(step, try loss.item(), start)
        }
    }
}
