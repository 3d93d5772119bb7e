import VidiNN
import VidiTensor

/// One optimisation step of STCN-style training with RDE's unbiased guidance (RDE-VOS `model/model.py`
/// and STCN `model/model.py`, as the RDE paper describes them), on a clip of T >= 3 frames:
/// - STM branch: frame 0 written with its true mask, every later frame read against all earlier ones
///   (softmax read, no top-k), decoded, soft-aggregated, and written with its own prediction;
///   bootstrapped cross-entropy on every frame t >= 1 (all pixels during warm-up, then the hardest 15%);
/// - SAM branch (when the network has `mem_compress`): the last frame read against RDE's memory
///   [S, E_(T-2), E_0, E_0] with S = SAM over E_0 ... E_(T-2) (the STM branch's embeddings), its own
///   cross-entropy, plus KL divergence pulling its decoder input (readout || query value, softmax over
///   channels) toward the STM branch's (detached).
/// BatchNorm runs with frozen statistics. Self-correction (mask perturbation + consistency) is not part of
/// this step yet.
public final class VOSTrainer {
    public let network: STCN
    public let optimizer: Adam
    public var warmupSteps: Int
    public var bootstrapFraction: Float
    public var klWeight: Float
    public private(set) var steps = 0

    public init(network: STCN, learningRate: Float = 1e-3, warmupSteps: Int = 200, bootstrapFraction: Float = 0.15,
                klWeight: Float = 1) throws {
        self.network = network
        optimizer = try Adam(network.parameters, learningRate: learningRate)
        self.warmupSteps = warmupSteps
        self.bootstrapFraction = bootstrapFraction
        self.klWeight = klWeight
    }

    public struct Losses: Sendable {
        public var crossEntropy: Float
        public var samCrossEntropy: Float
        public var kl: Float
    }

    /// Computes the loss of `clip`, back-propagates and updates the weights.
    @discardableResult
    public func step(_ clip: VOSClip) throws -> Losses {
        // BatchNorm stays in evaluation mode (an affine map with its running statistics, as STCN trains with
        // frozen BN statistics): batches of one or two value encodings give statistics that inference
        // would never see, and the model learned to depend on them (degenerate masks in eval mode).
        network.eval()
        optimizer.zeroGrad()
        let (total, losses) = try loss(clip)
        try total.backward()
        try optimizer.step()
        steps += 1
        return losses
    }

    /// The differentiable total loss and its parts.
    public func loss(_ clip: VOSClip) throws -> (Tensor, Losses) {
        let t = clip.frames.count
        guard t >= 2, clip.width % 16 == 0, clip.height % 16 == 0, !clip.objectIDs.isEmpty else {
            throw SegmentationError(.invalidArgument, "a training clip needs >= 2 frames of a multiple-of-16 size and an object")
        }
        let geometry = PaddedGeometry(width: clip.width, height: clip.height)
        let images = try Tensor.concatenate(clip.frames.map { try geometry.image(rgb: $0) }, axis: 0)
        let query = try network.encodeKey(images)
        let (ck, h, w) = (query.key.shape[1], query.key.shape[2], query.key.shape[3])
        func frameQuery(_ i: Int) throws -> STCNQuery {
            STCNQuery(key: try query.key.narrowed(axis: 0, start: i, length: 1),
                      value: try query.value.narrowed(axis: 0, start: i, length: 1),
                      f16: try query.f16.narrowed(axis: 0, start: i, length: 1),
                      f8: try query.f8.narrowed(axis: 0, start: i, length: 1),
                      f4: try query.f4.narrowed(axis: 0, start: i, length: 1))
        }
        let k = clip.objectIDs.count
        var keys: [Tensor] = [try query.key.narrowed(axis: 0, start: 0, length: 1).reshaped([ck, h * w])]
        let first = try frameQuery(0)
        var values: [Tensor] = [try network.encodeValue(frame: images.narrowed(axis: 0, start: 0, length: 1), f16: first.f16,
                                                        masks: geometry.oneHot(clip.masks[0], ids: clip.objectIDs))]
        // LCM (when the network has it): the previous frame's key and probabilities, the first-frame embedding.
        let firstMasks = try LCMModules.downsample(geometry.oneHot(clip.masks[0], ids: clip.objectIDs))
        let firstEmbedding = network.lcm == nil ? nil : try LCMObjectRelation.embedding(values: values[0], masks: firstMasks)
        var previousProbabilities = firstMasks
        func refined(_ readout: Tensor, frame i: Int, query q: STCNQuery) throws -> Tensor {
            guard let lcm = network.lcm, let firstEmbedding else { return readout }
            return try lcm.refine(readout: readout, queryKey: q.key, previousKey: query.key.narrowed(axis: 0, start: i - 1, length: 1),
                                  previousProbabilities: previousProbabilities, firstEmbedding: firstEmbedding)
        }
        var total = Tensor(0)
        var crossEntropy: Float = 0
        var stmDecoderInput: Tensor?
        for i in 1..<t {
            let q = try frameQuery(i)
            let memoryKeys = try Tensor.concatenate(keys, axis: 1)
            let memoryValues = try Tensor.concatenate(values.map { try $0.reshaped([k, -1, h * w]) }, axis: 2)
            let readout = try refined(MemoryRead.softmaxReadout(memoryKeys: memoryKeys, queryKeys: q.key.reshaped([ck, h * w]),
                                                                values: memoryValues).reshaped([k, -1, h, w]), frame: i, query: q)
            let decoderInput = try Tensor.concatenate([readout, q.value.expanded(to: [k] + Array(q.value.shape.dropFirst()))], axis: 1)
            let logits = try SoftAggregation.logits(network.decoderLogits(decoderInput, query: q).sigmoid())
            let frameLoss = try bootstrappedCrossEntropy(logits, target: labels(clip.masks[i], ids: clip.objectIDs))
            crossEntropy += try frameLoss.item() / Float(t - 1)
            total = try total + frameLoss / Float(t - 1)
            if i == t - 1 { stmDecoderInput = decoderInput; break }
            keys.append(try q.key.reshaped([ck, h * w]))
            let probabilities = try logits.softmax(axis: 0).sliced(axis: 0, start: 1)
            previousProbabilities = try LCMModules.downsample(probabilities)
            values.append(try network.encodeValue(frame: images.narrowed(axis: 0, start: i, length: 1), f16: q.f16, masks: probabilities))
        }
        var losses = Losses(crossEntropy: crossEntropy, samCrossEntropy: 0, kl: 0)
        if let compression = network.memoryCompression, t >= 3, let stmDecoderInput {
            var stateKey = try keys[0].reshaped([1, ck, 1, h, w])
            var stateValue = try values[0].reshaped([k, -1, 1, h, w])
            for i in 1..<(t - 1) {
                stateKey = try compression.compressKeys(Tensor.concatenate([stateKey, keys[i].reshaped([1, ck, 1, h, w])], axis: 2))
                stateValue = try compression.compressValues(Tensor.concatenate([stateValue, values[i].reshaped([k, -1, 1, h, w])], axis: 2))
            }
            let cv = stateValue.shape[1]
            let memoryKeys = try Tensor.concatenate([stateKey.reshaped([ck, h * w]), keys[t - 2], keys[0], keys[0]], axis: 1)
            let memoryValues = try Tensor.concatenate([stateValue.reshaped([k, cv, h * w]), values[t - 2].reshaped([k, cv, h * w]),
                                                       values[0].reshaped([k, cv, h * w]), values[0].reshaped([k, cv, h * w])], axis: 2)
            let q = try frameQuery(t - 1)
            let readout = try refined(MemoryRead.softmaxReadout(memoryKeys: memoryKeys, queryKeys: q.key.reshaped([ck, h * w]),
                                                                values: memoryValues).reshaped([k, cv, h, w]), frame: t - 1, query: q)
            let decoderInput = try Tensor.concatenate([readout, q.value.expanded(to: [k] + Array(q.value.shape.dropFirst()))], axis: 1)
            let logits = try SoftAggregation.logits(network.decoderLogits(decoderInput, query: q).sigmoid())
            let samLoss = try bootstrappedCrossEntropy(logits, target: labels(clip.masks[t - 1], ids: clip.objectIDs))
            let channels = decoderInput.shape[1]
            let rows = try decoderInput.permuted([0, 2, 3, 1]).reshaped([-1, channels])
            let targetRows = try stmDecoderInput.detached().permuted([0, 2, 3, 1]).reshaped([-1, channels])
            let kl = try VidiNN.Losses.klDivergence(rows.logSoftmax(axis: 1), targetRows.softmax(axis: 1))
            total = try total + samLoss + kl * klWeight
            losses.samCrossEntropy = try samLoss.item()
            losses.kl = try kl.item()
        }
        return (total, losses)
    }

    /// `[1, H, W]` int64 targets: channel index (0 background, i + 1 for `ids[i]`).
    func labels(_ mask: LabelMask, ids: [UInt8]) throws -> Tensor {
        let values = mask.labels.map { label -> Int64 in
            guard label != 0, let index = ids.firstIndex(of: label) else { return 0 }
            return Int64(index + 1)
        }
        return try Tensor(values, shape: [1, mask.height, mask.width])
    }

    /// STCN's BootstrappedCE: plain mean during warm-up, then the mean of the hardest `bootstrapFraction`.
    func bootstrappedCrossEntropy(_ logits: Tensor, target: Tensor) throws -> Tensor {
        // logits [K + 1, 1, H, W] -> [1, K + 1, H, W]
        let batched = try logits.permuted([1, 0, 2, 3])
        let perPixel = try VidiNN.Losses.crossEntropy(batched, target, reduction: .none).reshaped([-1])
        guard steps >= warmupSteps else { return try perPixel.mean() }
        let count = max(1, Int(Float(perPixel.shape[0]) * bootstrapFraction))
        return try perPixel.topK(count).values.mean()
    }
}
