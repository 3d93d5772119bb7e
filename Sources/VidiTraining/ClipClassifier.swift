import Foundation
import VidiNN
import VidiTensor

/// The small classifier behind `vidi train classifier`: the runtime's end-to-end example and a quick
/// baseline for a new dataset. Its input is one `.npy` member per sample:
/// - frames or an image, `[T, H, W, 3]` or `[H, W, 3]` (e.g. `vidi run Pipelines/frames.yaml` output; uint8
///   values are scaled to [0, 1]): two stride-2 3x3 convolutions with batch norm and ReLU per frame,
///   global average pooling over space and then time, and a linear head;
/// - anything else (features): flattened, then a two-layer MLP with dropout.
public final class ClipClassifier: Module, Layer {
    public struct Configuration: Codable, Sendable, Equatable {
        /// One sample's input shape (without the batch axis).
        public var inputShape: [Int]
        public var classes: Int
        /// Channels of the first convolution (the second has twice as many), or the MLP's hidden width.
        public var width: Int

        public init(inputShape: [Int], classes: Int, width: Int = 32) {
            self.inputShape = inputShape
            self.classes = classes
            self.width = width
        }

        /// Frames (or an image) when the last axis holds 3 colour channels and there are 2 or 3 more axes.
        public var isVisual: Bool { (3...4).contains(inputShape.count) && inputShape.last == 3 }
    }

    public let configuration: Configuration
    private let body: Sequential
    private let head: Linear

    public init(_ configuration: Configuration, generator: inout RandomGenerator) throws(TrainingError) {
        guard configuration.classes >= 2, configuration.width >= 1, !configuration.inputShape.isEmpty,
              configuration.inputShape.allSatisfy({ $0 >= 1 }) else {
            throw .invalidOption("classifier needs >= 2 classes, width >= 1 and a non-empty input shape; got \(configuration)")
        }
        self.configuration = configuration
        let width = configuration.width
        if configuration.isVisual {
            body = Sequential([
                Conv2d(3, width, kernelSize: [3], stride: [2], padding: [1], bias: false, generator: &generator),
                BatchNorm2d(width), ReLU(),
                Conv2d(width, 2 * width, kernelSize: [3], stride: [2], padding: [1], bias: false, generator: &generator),
                BatchNorm2d(2 * width), ReLU(),
            ])
        } else {
            body = Sequential([Linear(configuration.inputShape.reduce(1, *), width, generator: &generator), ReLU(),
                               Dropout(probability: 0.1, seed: generator.next())])
        }
        head = Linear(configuration.isVisual ? 2 * width : width, configuration.classes, generator: &generator)
        super.init()
        register("body", body)
        register("head", head)
    }

    /// Logits `[N, classes]` for inputs `[N, ...inputShape]` of any dtype.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard Array(input.shape.dropFirst()) == configuration.inputShape else {
            throw TrainingError.badSample(key: "", reason: "classifier input of shape \(input.shape) is not [N] + \(configuration.inputShape)")
        }
        // Integer arrays are 8-bit pixels (uint8 .npy reads as int32): scale to [0, 1].
        let x = input.dtype == .float32 ? input : try input.to(.float32) / 255
        guard configuration.isVisual else { return try head(body(x.flattened(from: 1))) }
        let n = x.shape[0]
        let frames = configuration.inputShape.count == 4 ? configuration.inputShape[0] : 1
        let (h, w) = (configuration.inputShape[configuration.inputShape.count - 3], configuration.inputShape[configuration.inputShape.count - 2])
        let pictures = try x.reshaped([n * frames, h, w, 3]).permuted([0, 3, 1, 2]).contiguous()
        let features = try body(pictures).mean(axes: [2, 3])                       // [N*T, C]
        let pooled = try features.reshaped([n, frames, features.shape[1]]).mean(axis: 1)  // [N, C]
        return try head(pooled)
    }
}
