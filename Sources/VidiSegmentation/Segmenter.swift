import VidiTensor

/// Inference settings. The defaults follow each official eval script: STCN top-k 20 / every 5th frame,
/// RDE-VOS top-k 40 / every 3rd frame.
public struct SegmenterOptions: Sendable, Equatable {
    public var memory: MemoryKind
    public var memoryEvery: Int
    public var topK: Int
    /// Refine each readout with the LCM modules (the weights must have them).
    public var lcm: Bool

    public init(memory: MemoryKind, memoryEvery: Int? = nil, topK: Int? = nil, lcm: Bool = false) {
        self.memory = memory
        self.lcm = lcm
        self.memoryEvery = memoryEvery ?? (memory == .rde ? 3 : 5)
        self.topK = topK ?? (memory == .rde ? 40 : 20)
    }
}

/// Semi-supervised VOS over a stream of frames, as STCN's / RDE-VOS's `inference_core.py` runs it: the
/// first frame's masks are written to memory, every later frame is read against memory, decoded per
/// object, soft-aggregated, and written to memory when `index % memoryEvery == 0`. Frames arrive one at a
/// time and only the memory is kept, so a long video never sits in memory (and with `.rde` neither does a
/// growing memory). Objects may be added at later frames: each group of objects added together keeps a
/// memory of its own from that frame on. Not Sendable: one owner.
public final class Segmenter {
    public let network: STCN
    public let options: SegmenterOptions
    public private(set) var frameIndex = 0
    /// Object ids in channel order.
    public private(set) var objectIDs: [UInt8] = []
    private var groups: [(bank: MemoryBank, channels: Range<Int>, embedding: Tensor?)] = []
    /// LCM's state: the previous frame's key and object probabilities at 1/16.
    private var previous: (key: Tensor, probabilities: Tensor)?
    private var geometry: PaddedGeometry?

    public init(network: STCN, options: SegmenterOptions) throws(SegmentationError) {
        guard options.memoryEvery >= 1 else { throw SegmentationError(.invalidArgument, "mem-every must be >= 1") }
        guard options.topK >= 1 else { throw SegmentationError(.invalidArgument, "top-k must be >= 1") }
        if options.memory == .rde && network.memoryCompression == nil {
            throw SegmentationError(.badWeights, "--memory rde needs weights with mem_compress.* (RDE-VOS or a Vidi rde model)")
        }
        if options.lcm && network.lcm == nil {
            throw SegmentationError(.badWeights, "--lcm needs weights with the LCM modules (lcm_position.*, lcm_object.*)")
        }
        self.network = network
        self.options = options
    }

    /// Memory positions currently read, over all groups (constant with `.rde`).
    public var memoryPositions: Int { groups.reduce(0) { $0 + $1.bank.positions } }

    /// Segments the next frame (RGB24, `width x height`). `mask` gives objects for this frame: on the first
    /// frame it is required; later, ids not seen before are added as new objects (their pixels override
    /// the prediction). `isLast` skips the memory write no later frame would read.
    public func step(rgb: [UInt8], width: Int, height: Int, mask: LabelMask? = nil,
                     isLast: Bool = false) throws -> (labels: LabelMask, probabilities: Tensor) {
        guard rgb.count == width * height * 3 else {
            throw SegmentationError(.invalidArgument, "frame \(frameIndex): \(rgb.count) bytes for \(width)x\(height) RGB")
        }
        let geometry = self.geometry ?? PaddedGeometry(width: width, height: height)
        self.geometry = geometry
        guard geometry.width == width, geometry.height == height else {
            throw SegmentationError(.mismatch, "frame \(frameIndex) is \(width)x\(height), the first was \(geometry.width)x\(geometry.height)")
        }
        if let mask, mask.width != width || mask.height != height {
            throw SegmentationError(.mismatch, "mask for frame \(frameIndex) is \(mask.width)x\(mask.height), the frame \(width)x\(height)")
        }
        defer { frameIndex += 1 }
        return try withNoGrad {
            let image = try geometry.image(rgb: rgb)
            let query = try network.encodeKey(image)
            var objectProbabilities: Tensor?
            if !groups.isEmpty {
                var responses: [Tensor] = []
                let readouts = try groups.map { group -> Tensor in
                    let readout = try group.bank.read(queryKey: query.key, topK: options.topK)
                    guard options.lcm, let lcm = network.lcm, let previous, let embedding = group.embedding else { return readout }
                    let probabilities = try previous.probabilities.sliced(axis: 0, start: group.channels.lowerBound,
                                                                         end: group.channels.upperBound)
                    let refined = try lcm.refine(readout: readout, queryKey: query.key, previousKey: previous.key,
                                                 previousProbabilities: probabilities, firstEmbedding: embedding)
                    responses.append(refined.response)
                    return refined.readout
                }
                // Every group has a response or none does (options.lcm; `previous` exists from frame 1 on).
                var bias: Tensor?
                if options.lcm, responses.count == groups.count, let lcm = network.lcm {
                    bias = try lcm.logitBias(responses: Tensor.concatenate(responses, axis: 0))
                }
                objectProbabilities = try network.segment(readout: Tensor.concatenate(readouts, axis: 0), query: query, logitBias: bias)
            }
            let newIDs = mask.map { m in Array(Set(m.labels).subtracting([0]).subtracting(objectIDs)).sorted() } ?? []
            guard objectProbabilities != nil || !newIDs.isEmpty else {
                throw SegmentationError(.invalidArgument, "frame \(frameIndex): no objects yet; the first frame needs a mask with at least one object")
            }
            var newGroup: Range<Int>?
            if let mask, !newIDs.isEmpty {
                let fresh = geometry.oneHot(mask, ids: newIDs)
                if let previous = objectProbabilities {
                    let union = try fresh.sum(axis: 0, keepDims: true)
                    objectProbabilities = try Tensor.concatenate([previous * (1 - union), fresh], axis: 0)
                } else {
                    objectProbabilities = fresh
                }
                newGroup = objectIDs.count..<(objectIDs.count + newIDs.count)
                objectIDs += newIDs
            }
            guard let objectProbabilities else { throw SegmentationError(.invalidArgument, "no objects") }
            let aggregated = try SoftAggregation.aggregate(objectProbabilities)
            let isMemoryFrame = frameIndex % options.memoryEvery == 0 && !isLast
            if isMemoryFrame || newGroup != nil {
                let masks = try aggregated.sliced(axis: 0, start: 1)
                let values = try network.encodeValue(frame: image, f16: query.f16, masks: masks)
                for group in groups where isMemoryFrame {
                    try group.bank.add(key: query.key, value: values.sliced(axis: 0, start: group.channels.lowerBound,
                                                                            end: group.channels.upperBound))
                }
                if let newGroup {
                    let bank = try MemoryBank(kind: options.memory, compression: network.memoryCompression)
                    let groupValues = try values.sliced(axis: 0, start: newGroup.lowerBound, end: newGroup.upperBound)
                    try bank.add(key: query.key, value: groupValues)
                    var embedding: Tensor?
                    if options.lcm {
                        let groupMasks = try masks.sliced(axis: 0, start: newGroup.lowerBound, end: newGroup.upperBound)
                        embedding = try LCMObjectRelation.embedding(values: groupValues, masks: LCMModules.downsample(groupMasks))
                    }
                    groups.append((bank, newGroup, embedding))
                }
            }
            if options.lcm {
                previous = (query.key, try LCMModules.downsample(aggregated.sliced(axis: 0, start: 1)))
            }
            return (try geometry.labels(aggregated, ids: objectIDs), aggregated)
        }
    }
}
