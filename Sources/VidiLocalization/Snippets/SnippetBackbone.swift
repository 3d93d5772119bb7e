import Foundation
import VidiMedia
import VidiNN
import VidiTensor

/// The network that turns a snippet's frames into one feature vector, chosen from the weights' shapes:
///
/// - a torchvision 2-D ResNet (`conv1.weight` is 4-D; 18/34/50/101/152, any widths) through
///   `ResNetEmbedder`: every frame of the window is embedded (global-average-pooled last stage) and the
///   embeddings are averaged; ImageNet mean/std; torchvision's ImageNet evaluation sizes by default
///   (shorter side 256, centre crop 224);
/// - a torchvision video ResNet (`stem.0.weight` is 5-D; `r3d_18`, `r2plus1d_18`) on the window as one
///   clip `[3, window, H, W]`, pooled over time and space; Kinetics mean/std; torchvision's video
///   evaluation sizes by default (shorter side 128, centre crop 112).
///
/// A classifier head (`fc.*`) in the file is ignored: the features are the pooled activations before it.
public final class SnippetBackbone {
    enum Network {
        case image(ResNetEmbedder)
        case video(VideoResNet)
    }

    let network: Network
    /// The architecture's torchvision name (`resnet18`, `r2plus1d_18`, ...), for the feature sidecar.
    public let architecture: String

    public init(weights tensors: [String: Tensor]) throws(LocalizationError) {
        do {
            if let stem = tensors["stem.0.weight"], stem.rank == 5 {
                var configuration = try VideoResNet.Configuration(torchvisionWeights: tensors)
                configuration.classes = nil
                var generator = RandomGenerator(seed: 0)  // every parameter is overwritten by the load below
                let model = VideoResNet(configuration, generator: &generator)
                try model.loadStateDict(tensors.filter { !$0.key.hasPrefix("fc.") }, strict: true)
                model.eval()
                network = .video(model)
                architecture = model.torchvisionName
            } else if let conv = tensors["conv1.weight"], conv.rank == 4 {
                let embedder = try ResNetEmbedder(weights: tensors)
                network = .image(embedder)
                architecture = embedder.backbone.configuration.variant.torchvisionName
            } else {
                throw LocalizationError.invalidArgument(
                    "weights hold neither a torchvision ResNet (4-D 'conv1.weight') nor a torchvision video ResNet (5-D 'stem.0.weight')")
            }
        } catch let error as LocalizationError {
            throw error
        } catch {
            throw .invalidArgument("backbone weights: \(error)")
        }
    }

    /// Loads a safetensors file (torchvision key names).
    public convenience init(path: String) throws(LocalizationError) {
        let tensors: [String: Tensor]
        do { tensors = try Safetensors.read(path: path) } catch { throw .io(path: path, reason: "cannot read backbone weights: \(error)") }
        do { try self.init(weights: tensors) } catch { throw .badFormat(path: path, where: "tensors", reason: error.description) }
    }

    /// Whether the backbone takes clips (video ResNet) rather than single frames.
    public var takesClips: Bool {
        if case .video = network { return true } else { return false }
    }

    /// Feature width D.
    public var dimension: Int {
        switch network {
        case .image(let embedder): return embedder.dimension
        case .video(let model): return model.configuration.widths[3]
        }
    }

    /// The mean/std the weights were trained with.
    public var normalization: ModelInputRequest.Normalization { takesClips ? .kinetics : .imageNet }
    /// torchvision's evaluation resize (shorter side) and centre crop for this kind of backbone.
    public var defaultResize: Int { takesClips ? 128 : 256 }
    public var defaultCrop: Int { takesClips ? 112 : 224 }

    /// `[N, D]` features: of N frames `[N, 3, H, W]` (image backbone) or N clips `[N, 3, T, H, W]` (video
    /// backbone), already normalised with `normalization`.
    public func embed(_ input: Tensor) throws -> Tensor {
        switch network {
        case .image(let embedder):
            return try embedder.embed(input)
        case .video(let model):
            return try withNoGrad { try model(input) }
        }
    }
}
