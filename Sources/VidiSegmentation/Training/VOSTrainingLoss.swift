import VidiNN
import VidiRandom
import VidiTensor
import VidiTraining

/// The loss of STCN-style training with RDE's unbiased guidance and self-correction (RDE-VOS and STCN
/// `model/model.py`, as the RDE paper describes them), on clips of T >= 2 frames. The shared `Trainer`
/// calls it once per batch; it never steps the optimizer itself.
/// - STM branch: frame 0 written to memory, every later frame read against all earlier ones (softmax read,
///   no top-k), decoded, soft-aggregated, and written with its own prediction; bootstrapped cross-entropy
///   on every frame t >= 1 (all pixels for the first `warmupClips` clips, then the hardest 15%).
/// - SAM branch (networks with `mem_compress`): at every even frame t >= 2 (2 and 4 of a 5-frame clip)
///   the frame is read against RDE's memory [S, E_(t-1), E_0, E_0], S = SAM folded over E_0 ... E_(t-1)
///   (the STM branch's embeddings); its cross-entropy, plus the KL divergence pulling its decoder input
///   (readout || query value, softmax over channels) toward the STM branch's (detached): unbiased guidance.
/// - Self-correction (`selfCorrection` set): each object's frame-0 memory mask is perturbed
///   (`MaskPerturbation`, the trainer's seeded generator) and the perturbed value embedding goes to
///   memory, so later frames learn to segment from an imperfect memory; a consistency term (KL over
///   channels, per position) pulls that embedding toward the one encoded from the true mask (detached).
/// - LCM (networks with it): every decoded frame's readout is refined by the LCM modules against the
///   previous frame; with the position guidance its logit bias applies too, and the location response is
///   scored against the frame's true masks (binary cross-entropy at 1/16, `responseWeight`).
/// BatchNorm runs with frozen statistics (STCN trains so): batches of one or two value encodings give
/// statistics that inference never sees.
public final class VOSTrainingLoss {
    public let network: STCN
    /// Clips trained on before the cross-entropy switches from all pixels to the hardest ones.
    public var warmupClips: Int
    public var bootstrapFraction: Float = 0.15
    public var klWeight: Float = 1
    public var selfCorrection: MaskPerturbation?
    public var consistencyWeight: Float = 1
    /// Weight of the loss on LCM's location response (LCMPositionGuidance.responseLoss).
    public var responseWeight: Float = 1
    /// The parts of the last clip's loss (for tests and logs).
    public private(set) var lastParts = Parts()

    public struct Parts: Sendable, Equatable {
        public var crossEntropy: Float = 0
        public var samCrossEntropy: Float = 0
        public var kl: Float = 0
        public var consistency: Float = 0
        /// LCM's location-response loss (networks with LCM position guidance).
        public var response: Float = 0
    }

    public init(network: STCN, warmupClips: Int = 200, selfCorrection: MaskPerturbation? = MaskPerturbation()) {
        self.network = network
        self.warmupClips = warmupClips
        self.selfCorrection = selfCorrection
    }

    /// The mean loss of a batch of clips (`VOSClip.clips(in:)`); `batch.position` tells how many clips the
    /// run has trained on, which ends the warm-up the same way in a resumed run.
    public func callAsFunction(_ batch: Batch, generator: inout RandomGenerator) throws -> Tensor {
        let clips = try VOSClip.clips(in: batch)
        let seen = max(0, batch.position.sample - batch.count)
        var total = Tensor(0)
        for clip in clips { total = try total + loss(clip, clipsSeen: seen, generator: &generator) }
        return try total / Float(max(clips.count, 1))
    }

    /// The differentiable loss of one clip.
    public func loss(_ clip: VOSClip, clipsSeen: Int, generator: inout RandomGenerator) throws -> Tensor {
        let t = clip.frames.count
        guard t >= 2, clip.width % 16 == 0, clip.height % 16 == 0, !clip.objectIDs.isEmpty,
              clip.masks.count == t, clip.masks.allSatisfy({ $0.width == clip.width && $0.height == clip.height }) else {
            throw SegmentationError(.invalidArgument, "a training clip needs >= 2 frames of a multiple-of-16 size, a mask per frame and an object")
        }
        network.eval()
        let bootstrap = clipsSeen >= warmupClips
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
        var parts = Parts()
        var total = Tensor(0)
        let first = try frameQuery(0)
        let firstImage = try images.narrowed(axis: 0, start: 0, length: 1)
        let trueMasks = geometry.oneHot(clip.masks[0], ids: clip.objectIDs)
        var firstValues: Tensor
        if let selfCorrection {
            let perturbed = try perturbedMasks(clip.masks[0], ids: clip.objectIDs, geometry: geometry, with: selfCorrection, generator: &generator)
            firstValues = try network.encodeValue(frame: firstImage, f16: first.f16, masks: perturbed)
            let clean = try withNoGrad { try network.encodeValue(frame: firstImage, f16: first.f16, masks: trueMasks) }
            let consistency = try channelKL(firstValues, toward: clean)
            total = try total + consistency * consistencyWeight
            parts.consistency = try consistency.item()
        } else {
            firstValues = try network.encodeValue(frame: firstImage, f16: first.f16, masks: trueMasks)
        }
        var keys: [Tensor] = [try first.key.reshaped([ck, h * w])]
        var values: [Tensor] = [firstValues]
        // LCM (when the network has it): the previous frame's key and probabilities, the first-frame embedding
        // (from the true mask, as inference has it).
        let firstMasks = try LCMModules.downsample(trueMasks)
        let firstEmbedding = network.lcm == nil ? nil : try LCMObjectRelation.embedding(
            values: withNoGrad { try network.encodeValue(frame: firstImage, f16: first.f16, masks: trueMasks) }, masks: firstMasks)
        var previousProbabilities = [firstMasks]
        func decode(_ readout: Tensor, frame i: Int) throws -> (logits: Tensor, decoderInput: Tensor, response: Tensor?) {
            let q = try frameQuery(i)
            var readout = readout
            var response: Tensor?
            var bias: Tensor?
            if let lcm = network.lcm, let firstEmbedding {
                let refined = try lcm.refine(readout: readout, queryKey: q.key, previousKey: query.key.narrowed(axis: 0, start: i - 1, length: 1),
                                             previousProbabilities: previousProbabilities[i - 1], firstEmbedding: firstEmbedding)
                readout = refined.readout
                response = refined.response
                bias = try lcm.logitBias(responses: refined.response)
            }
            let decoderInput = try Tensor.concatenate([readout, q.value.expanded(to: [k] + Array(q.value.shape.dropFirst()))], axis: 1)
            let logits = try network.decoderLogits(decoderInput, query: q)
            return (try SoftAggregation.logits((bias.map { try logits + $0 } ?? logits).sigmoid()), decoderInput, response)
        }
        var stmDecoderInputs: [Int: Tensor] = [:]
        for i in 1..<t {
            let q = try frameQuery(i)
            let memoryKeys = try Tensor.concatenate(keys, axis: 1)
            let memoryValues = try Tensor.concatenate(values.map { try $0.reshaped([k, -1, h * w]) }, axis: 2)
            let readout = try MemoryRead.softmaxReadout(memoryKeys: memoryKeys, queryKeys: q.key.reshaped([ck, h * w]),
                                                        values: memoryValues).reshaped([k, -1, h, w])
            let (logits, decoderInput, response) = try decode(readout, frame: i)
            let frameLoss = try bootstrappedCrossEntropy(logits, target: labels(clip.masks[i], ids: clip.objectIDs), bootstrap: bootstrap)
            parts.crossEntropy += try frameLoss.item() / Float(t - 1)
            total = try total + frameLoss / Float(t - 1)
            // LCM's location response against this frame's true masks (once per frame: the SAM branch's is the same).
            if let response, network.lcm?.guidance != nil {
                let target = try LCMModules.downsample(geometry.oneHot(clip.masks[i], ids: clip.objectIDs))
                let responseLoss = try LCMPositionGuidance.responseLoss(response: response, target: target)
                parts.response += try responseLoss.item() / Float(t - 1)
                total = try total + responseLoss * (responseWeight / Float(t - 1))
            }
            stmDecoderInputs[i] = decoderInput
            guard i < t - 1 else { break }
            keys.append(try q.key.reshaped([ck, h * w]))
            let probabilities = try logits.softmax(axis: 0).sliced(axis: 0, start: 1)
            previousProbabilities.append(try LCMModules.downsample(probabilities))
            values.append(try network.encodeValue(frame: images.narrowed(axis: 0, start: i, length: 1), f16: q.f16, masks: probabilities))
        }
        if let compression = network.memoryCompression, t >= 3 {
            let cv = values[0].shape[1]
            var stateKey = try keys[0].reshaped([1, ck, 1, h, w])
            var stateValue = try values[0].reshaped([k, cv, 1, h, w])
            let targets = Array(stride(from: 2, to: t, by: 2))
            for i in 1..<(t - 1) {
                stateKey = try compression.compressKeys(Tensor.concatenate([stateKey, keys[i].reshaped([1, ck, 1, h, w])], axis: 2))
                stateValue = try compression.compressValues(Tensor.concatenate([stateValue, values[i].reshaped([k, cv, 1, h, w])], axis: 2))
                let frame = i + 1
                guard targets.contains(frame), let stmInput = stmDecoderInputs[frame] else { continue }
                let memoryKeys = try Tensor.concatenate([stateKey.reshaped([ck, h * w]), keys[i], keys[0], keys[0]], axis: 1)
                let memoryValues = try Tensor.concatenate([stateValue.reshaped([k, cv, h * w]), values[i].reshaped([k, cv, h * w]),
                                                           values[0].reshaped([k, cv, h * w]), values[0].reshaped([k, cv, h * w])], axis: 2)
                let q = try frameQuery(frame)
                let readout = try MemoryRead.softmaxReadout(memoryKeys: memoryKeys, queryKeys: q.key.reshaped([ck, h * w]),
                                                            values: memoryValues).reshaped([k, cv, h, w])
                let (logits, decoderInput, _) = try decode(readout, frame: frame)
                let samLoss = try bootstrappedCrossEntropy(logits, target: labels(clip.masks[frame], ids: clip.objectIDs), bootstrap: bootstrap)
                let kl = try channelKL(decoderInput, toward: stmInput.detached())
                let share = Float(targets.count)
                total = try total + samLoss / share + kl * (klWeight / share)
                parts.samCrossEntropy += try samLoss.item() / share
                parts.kl += try kl.item() / share
                if frame == targets.last { break }
            }
        }
        lastParts = parts
        return total
    }

    /// The one-hot masks of frame 0 with each object perturbed on its own (`[K, 1, H', W']`, padded).
    func perturbedMasks(_ mask: LabelMask, ids: [UInt8], geometry: PaddedGeometry, with perturbation: MaskPerturbation,
                        generator: inout RandomGenerator) throws -> Tensor {
        let channels = try ids.map { id -> Tensor in
            let (binary, _) = perturbation.perturb(mask.binary(id), width: mask.width, height: mask.height, generator: &generator)
            let single = try LabelMask(width: mask.width, height: mask.height, labels: binary.map { $0 ? 1 : 0 })
            return geometry.oneHot(single, ids: [1])
        }
        return try Tensor.concatenate(channels, axis: 0)
    }

    /// KL(target || x) with both softmaxed over channels (axis 1), averaged over positions and objects.
    func channelKL(_ x: Tensor, toward target: Tensor) throws -> Tensor {
        let channels = x.shape[1]
        let rows = try x.permuted([0, 2, 3, 1]).reshaped([-1, channels])
        let targetRows = try target.permuted([0, 2, 3, 1]).reshaped([-1, channels])
        return try VidiNN.Losses.klDivergence(rows.logSoftmax(axis: 1), targetRows.softmax(axis: 1))
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
    func bootstrappedCrossEntropy(_ logits: Tensor, target: Tensor, bootstrap: Bool) throws -> Tensor {
        // logits [K + 1, 1, H, W] -> [1, K + 1, H, W]
        let batched = try logits.permuted([1, 0, 2, 3])
        let perPixel = try VidiNN.Losses.crossEntropy(batched, target, reduction: .none).reshaped([-1])
        guard bootstrap else { return try perPixel.mean() }
        let count = max(1, Int(Float(perPixel.shape[0]) * bootstrapFraction))
        return try perPixel.topK(count).values.mean()
    }
}
