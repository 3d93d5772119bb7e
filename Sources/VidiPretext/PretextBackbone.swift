// The 3-D backbones the pretext tasks train: torchvision's video ResNets from VidiNN (`r3d_18`,
// `r2plus1d_18`, torchvision key names under `backbone.`), and `tiny`, an r3d_18 with widths 8-16-32-64
// that trains on 2 CPU cores. Clips arrive as the shards hold them (uint8 [N, T, H, W, 3] RGB); MoSI's
// normalisation (mean 0.45, std 0.225, reference/pretext.md) is applied here, after an even temporal
// subsampling to `frames` and a nearest spatial resampling to `resolution` (what a CPU run can afford).
import VidiNN
import VidiTensor

public struct PretextBackboneConfiguration: Codable, Sendable, Equatable {
    /// `r3d_18`, `r2plus1d_18` or `tiny`.
    public var architecture: String
    /// Frames fed to the network (evenly taken from the clip).
    public var frames: Int
    /// Side the frames are resampled to.
    public var resolution: Int

    public init(architecture: String = "tiny", frames: Int = 8, resolution: Int = 32) {
        self.architecture = architecture
        self.frames = frames
        self.resolution = resolution
    }

    public static let architectures = ["tiny", "r3d_18", "r2plus1d_18"]

    var videoResNet: VideoResNet.Configuration {
        switch architecture {
        case "r3d_18": return .init(.r3d18, classes: nil)
        case "r2plus1d_18": return .init(.r2plus1d18, classes: nil)
        default: return .init(.r3d18, widths: [8, 16, 32, 64], classes: nil)
        }
    }

    func validate() throws {
        guard Self.architectures.contains(architecture), frames >= 1, resolution >= 8 else {
            throw PretextError.invalidArgument("backbone must be one of \(Self.architectures) with frames >= 1 and resolution >= 8, got \(architecture), \(frames), \(resolution)")
        }
    }
}

public final class PretextBackbone: Module, Layer {
    public let configuration: PretextBackboneConfiguration
    public let network: VideoResNet

    public init(_ configuration: PretextBackboneConfiguration, generator: inout RandomGenerator) throws {
        try configuration.validate()
        self.configuration = configuration
        network = VideoResNet(configuration.videoResNet, generator: &generator)
        super.init()
        register("backbone", network)
    }

    /// Channels of the pooled feature.
    public var width: Int { configuration.videoResNet.widths.last ?? 0 }

    /// uint8 (or float 0-255) clips [N, T, H, W, 3] -> normalised [N, 3, frames, resolution, resolution].
    public func input(_ clips: Tensor) throws -> Tensor {
        guard clips.rank == 5, clips.shape[4] == 3 else {
            throw PretextError.invalidArgument("clips must be [N, T, H, W, 3], got \(clips.shape)")
        }
        return try Self.resample(clips, frames: configuration.frames, resolution: configuration.resolution) { ($0 / 255 - 0.45) / 0.225 }
    }

    /// Channel-last [N, T, H, W, C] -> channel-first [N, C, frames, resolution, resolution]: frames taken
    /// evenly, pixels by nearest neighbour, each value through `transform`.
    public static func resample(_ values: Tensor, frames f: Int, resolution r: Int, transform: (Float) -> Float = { $0 }) throws -> Tensor {
        guard values.rank == 5, values.shape.allSatisfy({ $0 >= 1 }) else {
            throw PretextError.invalidArgument("expected [N, T, H, W, C], got \(values.shape)")
        }
        let n = values.shape[0], t = values.shape[1], h = values.shape[2], w = values.shape[3], channels = values.shape[4]
        let source = try values.to(.float32).toArray(Float.self)
        let times = (0..<f).map { $0 * t / f }, rows = (0..<r).map { $0 * h / r }, columns = (0..<r).map { $0 * w / r }
        var out = [Float](repeating: 0, count: n * channels * f * r * r)
        for i in 0..<n {
            for (k, time) in times.enumerated() {
                for (y, row) in rows.enumerated() {
                    for (x, column) in columns.enumerated() {
                        let from = (((i * t + time) * h + row) * w + column) * channels
                        for c in 0..<channels {
                            out[(((i * channels + c) * f + k) * r + y) * r + x] = transform(source[from + c])
                        }
                    }
                }
            }
        }
        return try Tensor(out, shape: [n, channels, f, r, r])
    }

    /// The last stage's map [N, C, t, h, w] of prepared input.
    public func featureMap(_ input: Tensor) throws -> Tensor {
        guard let last = try network.features(input).last else { throw PretextError.invalidArgument("backbone has no stages") }
        return last
    }

    /// Pooled features [N, C] of prepared input [N, 3, T, H, W].
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try network(input)
    }
}
