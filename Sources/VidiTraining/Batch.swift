import VidiMedia
import VidiTensor

/// A batch of samples, collated per member: same-shape `.npy` arrays stacked into one tensor with a
/// leading batch axis, `.cls` labels into an int64 `[N]` tensor, same-size images into a float32
/// `[N, H, W, 3]` tensor in [0, 1]; everything else (json, text, arrays of differing shapes) kept as a
/// list in sample order.
public struct Batch: Sendable {
    public var keys: [String]
    public var fields: [String: Field]
    /// Reader position after this batch (what a checkpoint stores to resume after it).
    public var position: ReaderPosition
    /// The epoch its samples belong to (a batch never spans two).
    public var epoch: Int

    public enum Field: Sendable {
        /// Stacked from members of one kind: `.npy` arrays, `.cls` labels or images.
        case stacked(Tensor, from: StackedKind)
        case list([SampleValue])
    }

    public enum StackedKind: Sendable { case arrays, labels, images }

    public init(keys: [String], fields: [String: Field], position: ReaderPosition, epoch: Int) {
        self.keys = keys
        self.fields = fields
        self.position = position
        self.epoch = epoch
    }

    public var count: Int { keys.count }

    /// The stacked tensor of member `name` (`"frames.npy"`, `"cls"`).
    public func tensor(_ name: String) throws(TrainingError) -> Tensor {
        switch fields[name] {
        case .stacked(let tensor, _): return tensor
        case .list: throw .badSample(key: keys.first ?? "", reason: "member '\(name)' differs in shape or kind across the batch; it is a list")
        case nil: throw .badSample(key: keys.first ?? "", reason: "no member '\(name)' in the batch (has \(fields.keys.sorted()))")
        }
    }

    /// The per-sample values of member `name` (any kind).
    public func values(_ name: String) -> [SampleValue] {
        switch fields[name] {
        case .list(let values): return values
        case .stacked(let tensor, let kind):
            return (0..<tensor.shape[0]).compactMap { index -> SampleValue? in
                guard let item = try? tensor.narrowed(axis: 0, start: index, length: 1).squeezed(axis: 0) else { return nil }
                switch kind {
                case .arrays: return .tensor(item)
                case .labels: return .label(Int(item.scalars[0]))
                case .images:
                    let rgb = item.scalars.map { UInt8(($0 * 255).rounded()) }
                    return .image(DecodedImage(width: tensor.shape[2], height: tensor.shape[1], rgb: rgb))
                }
            }
        case nil: return []
        }
    }

    /// Collates `samples`; a member missing from some sample is an error (WebDataset's collation too).
    static func collate(_ samples: [DecodedSample], position: ReaderPosition, epoch: Int) throws -> Batch {
        guard let first = samples.first else {
            return Batch(keys: [], fields: [:], position: position, epoch: epoch)
        }
        var fields: [String: Field] = [:]
        for name in first.values.keys {
            var column: [SampleValue] = []
            column.reserveCapacity(samples.count)
            for sample in samples {
                guard let value = sample.values[name] else {
                    throw TrainingError.badSample(key: sample.key, reason: "has no '\(name)' member, which \(first.key) has")
                }
                column.append(value)
            }
            fields[name] = try stack(column)
        }
        return Batch(keys: samples.map(\.key), fields: fields, position: position, epoch: epoch)
    }

    private static func stack(_ column: [SampleValue]) throws -> Field {
        switch column[0] {
        case .tensor(let head):
            var tensors: [Tensor] = []
            for value in column {
                guard case .tensor(let t) = value, t.shape == head.shape, t.dtype == head.dtype else { return .list(column) }
                tensors.append(t)
            }
            return .stacked(try Tensor.stack(tensors, axis: 0), from: .arrays)
        case .label:
            var labels: [Int64] = []
            for value in column {
                guard case .label(let label) = value else { return .list(column) }
                labels.append(Int64(label))
            }
            return .stacked(try Tensor(labels, shape: [labels.count]), from: .labels)
        case .image(let head):
            var pixels: [Float] = []
            pixels.reserveCapacity(column.count * head.rgb.count)
            for value in column {
                guard case .image(let image) = value, image.width == head.width, image.height == head.height else { return .list(column) }
                pixels += image.rgb.map { Float($0) / 255 }
            }
            return .stacked(try Tensor(pixels, shape: [column.count, head.height, head.width, 3]), from: .images)
        default:
            return .list(column)
        }
    }
}
