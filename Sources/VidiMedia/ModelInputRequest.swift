/// What a model wants from a video: which frames, at what size and crop, in which memory layout, with
/// which normalisation. `VideoReader.modelInput(_:)` produces it in one pass per frame: the decoder's
/// YUV planes are resized (8-bit planar YUV with torchvision's uint8 antialiased arithmetic, only where
/// the crop keeps pixels; other formats by libswscale) and converted to RGB at the small size (no
/// full-size RGB picture exists when a resize is asked for), then cropped and normalised straight into the output.
///
/// The conventions are torchvision's, so a model trained on `Resize(s) → CenterCrop(c) → ToTensor →
/// Normalize(mean, std)` sees the same pixels within the tolerance the tests state:
///
/// ```swift
/// let reader = try VideoReader(path: "clip.mp4")
/// // 8 CLIP frames, 224 x 224, CLIP-normalised, [8, 3, 224, 224] float32:
/// let clip = try reader.modelInput(ModelInputRequest(
///     frames: .uniform(count: 8), resize: .shorterSide(224), crop: .center(width: 224, height: 224),
///     layout: .chw, normalization: .clip))
/// // 2 random 16 x 112² clips at stride 2 for a 3-D CNN, [2, 3, 16, 112, 112]:
/// let clips = try reader.modelInput(ModelInputRequest(
///     frames: .randomClips(count: 2, length: 16, stride: 2, seed: 7), resize: .shorterSide(128),
///     crop: .random(width: 112, height: 112, seed: 7), layout: .cthw, normalization: .imageNet))
/// // As a tensor without a copy (VidiMediaTensors): try reader.modelInputTensor(request)
/// ```
public struct ModelInputRequest: Sendable, Equatable {
    /// The size frames are resized to, in display orientation (after the stream's rotation).
    public enum Resize: Sendable, Equatable {
        /// The displayed size; pixels equal `ffmpeg -pix_fmt rgb24` (the filter is not used).
        case none
        /// torchvision `Resize(n)`: the shorter side becomes `n`, the longer `int(n * long / short)`
        /// (truncated, as torchvision does).
        case shorterSide(Int)
        /// Exactly `width` x `height` (aspect ratio not kept), torchvision `Resize((h, w))`.
        case fixed(width: Int, height: Int)
    }

    /// A crop of the resized picture, the same for every frame of a clip.
    public enum Crop: Sendable, Equatable {
        case none
        /// torchvision `CenterCrop`: top = round((H - h) / 2), left = round((W - w) / 2), halves to even.
        case center(width: Int, height: Int)
        /// torchvision `RandomCrop` offsets from a seeded generator: one offset per clip,
        /// top uniform in 0...(H - h), then left uniform in 0...(W - w).
        case random(width: Int, height: Int, seed: UInt64)
    }

    /// Memory layout of the output. N = all sampled frames, clips concatenated; C = clips; T = frames
    /// per clip (every clip of a request has the same length).
    public enum Layout: Sendable, Equatable {
        /// [N, H, W, 3] UInt8 RGB, no normalisation (what image libraries and encoders take).
        case hwcBytes
        /// [N, 3, H, W] Float32: a batch of images.
        case chw
        /// [C, T, 3, H, W] Float32: clips of frames (TimeSformer, VideoMAE order).
        case tchw
        /// [C, 3, T, H, W] Float32: clips for 3-D convolutions (R(2+1)D, X3D, SlowFast order).
        case cthw
    }

    /// The resampling filter. All widen on downscale, like torchvision's `antialias=True` and PIL.
    public enum Filter: Sendable, Equatable {
        /// Triangle filter (torchvision/PIL `BILINEAR` with antialias).
        case bilinear
        /// Cubic filter (torchvision/PIL `BICUBIC` with antialias, a = -0.5; sources swscale resizes get
        /// its cubic, B=0, C=0.6).
        case bicubic
        /// Box averaging (PIL `BOX`, within 1 level: int16 weights where PIL has int32; torch
        /// `interpolate(mode="area")` for integer factors).
        case area
    }

    /// value = (byte / 255 - mean[c]) / std[c] per RGB channel, as torchvision `Normalize` after `ToTensor`.
    public struct Normalization: Sendable, Equatable {
        public var mean: [Float]
        public var std: [Float]

        public init(mean: [Float], std: [Float]) {
            self.mean = mean
            self.std = std
        }

        /// byte / 255 in [0, 1] (`ToTensor` alone).
        public static let unit = Normalization(mean: [0, 0, 0], std: [1, 1, 1])
        /// torchvision's ImageNet statistics.
        public static let imageNet = Normalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        /// OpenAI CLIP's statistics.
        public static let clip = Normalization(mean: [0.48145466, 0.4578275, 0.40821073],
                                               std: [0.26862954, 0.26130258, 0.27577711])
        /// Kinetics-400 statistics, which torchvision's video models (r3d_18, r2plus1d_18) expect.
        public static let kinetics = Normalization(mean: [0.43216, 0.394666, 0.37645], std: [0.22803, 0.22145, 0.216989])
    }

    /// Which frames, as clips (`FrameSampler.clips(for:)`): `.uniform`, `.every`, `.fps` and `.segments`
    /// give one clip, `.randomClips` several of equal length.
    public var frames: FrameSampler
    public var resize: Resize
    public var crop: Crop
    public var layout: Layout
    public var filter: Filter
    /// Used by the float layouts; `.hwcBytes` ignores it.
    public var normalization: Normalization
    /// Apply the stream's display rotation before resizing (default on, as the ffmpeg CLI does).
    public var applyRotation: Bool

    public init(frames: FrameSampler, resize: Resize = .none, crop: Crop = .none, layout: Layout = .chw,
                filter: Filter = .bilinear, normalization: Normalization = .unit, applyRotation: Bool = true) {
        self.frames = frames
        self.resize = resize
        self.crop = crop
        self.layout = layout
        self.filter = filter
        self.normalization = normalization
        self.applyRotation = applyRotation
    }
}

/// A model input: owned values plus their shape. Floats for the float layouts, bytes for `.hwcBytes`.
public struct ModelInput: Sendable, Equatable {
    public enum Values: Sendable, Equatable {
        case float32([Float])
        case bytes([UInt8])
    }

    /// Row-major shape, per the request's layout.
    public var shape: [Int]
    public var values: Values
    /// The display indices sampled, one array per clip (what each T position holds).
    public var clips: [[Int]]
    /// Where each clip's crop starts in the resized picture (top, left): the same for all its frames.
    public var cropOrigins: [(top: Int, left: Int)] {
        zip(cropTops, cropLefts).map { ($0, $1) }
    }
    var cropTops: [Int]
    var cropLefts: [Int]

    /// The floats, for float layouts.
    public var floats: [Float]? { if case .float32(let v) = values { return v } else { return nil } }
    /// The bytes, for `.hwcBytes`.
    public var bytes: [UInt8]? { if case .bytes(let v) = values { return v } else { return nil } }
}
