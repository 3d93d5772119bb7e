import VidiTensor

/// Frames and masks as STCN's eval scripts feed them: ImageNet normalisation, then zero padding to a
/// multiple of 16 split evenly (`util/tensor_util.py` `pad_divide_by`: the smaller half on the top/left).
public struct PaddedGeometry: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let left: Int, right: Int, top: Int, bottom: Int

    public init(width: Int, height: Int, multiple: Int = 16) {
        self.width = width
        self.height = height
        let padW = (multiple - width % multiple) % multiple, padH = (multiple - height % multiple) % multiple
        left = padW / 2
        right = padW - padW / 2
        top = padH / 2
        bottom = padH - padH / 2
    }

    public var paddedWidth: Int { width + left + right }
    public var paddedHeight: Int { height + top + bottom }

    /// `[1, 3, H', W']`: RGB24 bytes / 255, minus ImageNet mean, over std, zero-padded.
    public func image(rgb: [UInt8]) throws -> Tensor {
        let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
        let (pw, ph) = (paddedWidth, paddedHeight)
        return Tensor(unsafeUninitializedShape: [1, 3, ph, pw]) { out in
            out.initialize(repeating: 0)
            for c in 0..<3 {
                for y in 0..<height {
                    for x in 0..<width {
                        let value = Float(rgb[(y * width + x) * 3 + c]) / 255
                        out[(c * ph + y + top) * pw + x + left] = (value - mean[c]) / std[c]
                    }
                }
            }
        }
    }

    /// `[K, 1, H', W']` one-hot masks of `ids` from a label mask, zero-padded.
    public func oneHot(_ mask: LabelMask, ids: [UInt8]) -> Tensor {
        let (pw, ph) = (paddedWidth, paddedHeight)
        return Tensor(unsafeUninitializedShape: [ids.count, 1, ph, pw]) { out in
            out.initialize(repeating: 0)
            for (k, id) in ids.enumerated() {
                for y in 0..<height {
                    for x in 0..<width where mask.labels[y * width + x] == id {
                        out[(k * ph + y + top) * pw + x + left] = 1
                    }
                }
            }
        }
    }

    /// Argmax over `[K + 1, 1, H', W']` probabilities (first maximum wins, as torch.argmax), unpadded,
    /// channel c > 0 mapped to `ids[c - 1]`.
    public func labels(_ probabilities: Tensor, ids: [UInt8]) throws -> LabelMask {
        let channels = probabilities.shape[0]
        let (pw, ph) = (paddedWidth, paddedHeight)
        var mask = LabelMask(width: width, height: height)
        try probabilities.contiguous().withUnsafeBufferPointer { p in
            for y in 0..<height {
                for x in 0..<width {
                    let offset = (y + top) * pw + x + left
                    var best = 0
                    var bestValue = p[offset]
                    for c in 1..<channels where p[c * ph * pw + offset] > bestValue {
                        best = c
                        bestValue = p[c * ph * pw + offset]
                    }
                    mask.labels[y * width + x] = best == 0 ? 0 : ids[best - 1]
                }
            }
        }
        return mask
    }
}
