import VidiFormats
import VidiMedia
import VidiPipeline
import VidiPretext
import VidiRandom

/// The pretext-task generators (VidiPretext) as pipeline stages: each video becomes one training sample
/// whose arrays go into the shard under its key, with the sampled indices and parameters in the sample's
/// metadata under the stage's name. Every video draws from its own generator, seeded by the stage's
/// `seed` mixed with the manifest position, so shards are the same bytes for any worker count or split.
enum PretextSeed {
    static func generator(_ seed: UInt64, video: VideoContext) -> RandomGenerator {
        var mix = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: video.entry.index) &* 0x9E37_79B9_7F4A_7C15))
        return RandomGenerator(seed: mix.next())
    }

    static func flip(_ node: SpecNode?) throws -> FlipMode {
        guard let node else { return .random }
        return FlipMode(rawValue: try node.choice(FlipMode.allCases.map(\.rawValue))) ?? .random
    }

    static func emit(_ sample: some PretextSampleFiles, stage: String, into video: VideoContext) throws {
        for (name, bytes) in sample.arrays() { try video.emit(name, bytes) }
        video.metadata[stage] = sample.parameters
    }
}

/// `mosi`: MoSI's 9 pseudo-motion clips from one frame of each input (an image, or a video's frame):
/// `clips.npy` (9 x 16 x 112 x 112 x 3 uint8 RGB) and `labels.npy` (0..8, reference/pretext.md's order).
/// `{seed: 0, frame: random|middle|first, augment: true, jitter: true, static_mask: true, flip: random|on|off|official,
/// centred: false, standard_size: 320}`; `augment: false` turns jitter and static masks off together.
struct MoSIStage: PipelineStage {
    let name = "mosi"
    var configuration: MoSIConfiguration
    var seed: UInt64
    var frame: String
    var outputs: [String] { ["clips.npy", "labels.npy"] }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        try parameters.read { map in
            var c = MoSIConfiguration()
            if try map?.optional("augment")?.bool() == false { c = c.withoutAugmentation }
            // Each augmentation on its own, for ablations (the probe experiment keeps static masks, drops jitter).
            if try map?.optional("jitter")?.bool() == false { c.colorJitter = nil }
            if try map?.optional("static_mask")?.bool() == false { c.staticMaskRatio = nil }
            // The standardised square's side (reference: 320); smaller keeps small pictures' scale and speeds closer.
            if let size = try map?.optional("standard_size")?.int() { c.standardSize = size }
            c.flip = try PretextSeed.flip(map?.optional("flip"))
            c.randomStart = !(try map?.optional("centred")?.bool() ?? false)
            let seed = UInt64(truncatingIfNeeded: try map?.optional("seed")?.int() ?? 0)
            let frame = try map?.optional("frame")?.choice(["random", "middle", "first"]) ?? "random"
            do { _ = try MoSIGenerator(c) } catch { throw parameters.keyNode.error("\(error)") }
            return MoSIStage(configuration: c, seed: seed, frame: frame)
        }
    }

    func process(_ video: VideoContext) throws {
        var random = PretextSeed.generator(seed, video: video)
        let reader = try video.reader()
        let count = reader.info.frameCount
        guard count > 0 else { throw PipelineError.stage(stage: name, message: "no frames") }
        let index = frame == "first" ? 0 : frame == "middle" ? count / 2 : random.nextIndex(below: count)
        let picture = try RGBPicture(frame: try reader.frame(at: index))
        video.framesDecoded += 1
        let generator = try MoSIGenerator(configuration)
        let clips = try generator.generate(picture, random: &random)
        try PretextSeed.emit(MoSIStack(clips: clips, generator: generator, stacked: true), stage: name, into: video)
        if case .object(var fields) = video.metadata[name] {
            fields["source_frame"] = .int(index)
            video.metadata[name] = .object(fields)
        }
    }
}

/// `hico`: one HiCo triple per untrimmed video, `clips.npy` (3 x 16 x 112 x 112 x 3 uint8): clips 0 and 1
/// within d seconds, clip 2 anywhere; d follows the gradual schedule at the given training progress.
/// `{progress: 0.5, seed: 0, min_distance: 0, max_distance: 1}`.
struct HiCoStage: PipelineStage {
    let name = "hico"
    var configuration: HiCoConfiguration
    var progress: Double
    var seed: UInt64
    var outputs: [String] { ["clips.npy"] }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        try parameters.read { map in
            guard let map, let progressNode = map.optional("progress") else {
                throw parameters.keyNode.error("needs the training progress (epoch / max_epoch), e.g. {progress: 0.5}")
            }
            let progress = try progressNode.double()
            guard progress >= 0, progress.isFinite else { throw progressNode.error("progress must be >= 0") }
            var c = HiCoConfiguration()
            if let node = map.optional("min_distance") { c.minimumDistance = try node.double() }
            if let node = map.optional("max_distance") { c.maximumDistance = try node.double() }
            do { _ = try HiCoSampler(c) } catch { throw parameters.keyNode.error("\(error)") }
            return HiCoStage(configuration: c, progress: progress, seed: UInt64(truncatingIfNeeded: try map.optional("seed")?.int() ?? 0))
        }
    }

    func process(_ video: VideoContext) throws {
        var random = PretextSeed.generator(seed, video: video)
        let sample = try HiCoSampler(configuration).sample(try video.reader(), progress: progress, random: &random)
        video.framesDecoded += Set(sample.frameIndices.joined()).count
        try PretextSeed.emit(sample, stage: name, into: video)
    }
}

/// `cmd`: one CMD sample per video: `clip.npy` (16 x 112 x 112 x 3 uint8), `motion.npy` (8 x 112 x 112 x 2
/// float32), `negatives.npy` (3 x 8 x 112 x 112 x 2), `keyframe.npy` (112 x 112 x 3). `{seed: 0, flip:
/// random|on|off|official}`. One decoding pass per video (motion vectors of every frame, pictures of the
/// clip and keyframe only).
struct CMDStage: PipelineStage {
    let name = "cmd"
    var configuration: CMDConfiguration
    var seed: UInt64
    var outputs: [String] { ["clip.npy", "motion.npy", "negatives.npy", "keyframe.npy"] }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        try parameters.read { map in
            var c = CMDConfiguration()
            c.flip = try PretextSeed.flip(map?.optional("flip"))
            return CMDStage(configuration: c, seed: UInt64(truncatingIfNeeded: try map?.optional("seed")?.int() ?? 0))
        }
    }

    func process(_ video: VideoContext) throws {
        var random = PretextSeed.generator(seed, video: video)
        let reader = try video.reader()
        let sample = try CMDSampler(configuration).sample(reader, random: &random)
        video.framesDecoded += reader.info.frameCount
        try PretextSeed.emit(sample, stage: name, into: video)
    }
}

extension StageCatalog {
    /// The pretext-task data generators.
    public static let pretext = StageCatalog(["mosi": MoSIStage.make, "hico": HiCoStage.make, "cmd": CMDStage.make])
}
