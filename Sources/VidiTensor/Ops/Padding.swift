/// How `padded` fills the border (PyTorch's `F.pad` modes).
public enum PaddingMode: Sendable, Equatable {
    /// A fixed value (converted to the tensor's dtype). Negative padding crops.
    case constant(Float)
    /// Mirror without repeating the edge: `[a b c]` padded by 2 gives `c b | a b c | b a`.
    case reflect
    /// Repeat the edge element.
    case replicate
}

extension Tensor {
    /// Pads the trailing axes (`torch.nn.functional.pad`): `padding` holds (before, after) pairs starting
    /// from the last axis, `[left, right, top, bottom, ...]`. Unlike PyTorch, reflect and replicate work
    /// on any number of trailing axes. Reflect needs each pad smaller than its axis; replicate a non-empty axis.
    public func padded(_ padding: [Int], mode: PaddingMode = .constant(0)) throws -> Tensor {
        guard padding.count % 2 == 0, padding.count / 2 <= rank else {
            throw TensorError.invalidArgument(op: "pad", reason: "padding \(padding) must hold (before, after) pairs for at most \(rank) axes")
        }
        var result = self
        for pair in 0..<(padding.count / 2) {
            let axis = rank - 1 - pair
            result = try result.padAxis(axis, before: padding[2 * pair], after: padding[2 * pair + 1], mode: mode)
        }
        return result
    }

    /// Pads (or, for constant mode, crops with negative amounts) one axis.
    private func padAxis(_ axis: Int, before: Int, after: Int, mode: PaddingMode) throws -> Tensor {
        let n = shape[axis]
        var rows: [Int]
        var fill: Tensor?
        switch mode {
        case .constant(let value):
            guard n + before + after >= 0, before >= -n, after >= -n else {
                throw TensorError.invalidArgument(op: "pad", reason: "padding (\(before), \(after)) crops more than axis \(axis) of shape \(shape)")
            }
            // Negative amounts drop rows; positive ones add constant rows (-1).
            let (keptStart, keptEnd) = (Swift.max(-before, 0), n - Swift.max(-after, 0))
            rows = Array(repeating: -1, count: Swift.max(before, 0)) + Array(keptStart..<Swift.max(keptEnd, keptStart))
                + Array(repeating: -1, count: Swift.max(after, 0))
            fill = Tensor.full([1], value: value).to(dtype)
        case .reflect:
            guard before >= 0, after >= 0, before < n || before == 0, after < n || after == 0 else {
                throw TensorError.invalidArgument(op: "pad", reason: "reflect padding (\(before), \(after)) must be non-negative and smaller than axis \(axis) of size \(n) (shape \(shape))")
            }
            rows = (-before..<(n + after)).map { k in k < 0 ? -k : (k >= n ? 2 * (n - 1) - k : k) }
        case .replicate:
            guard before >= 0, after >= 0, n > 0 || before + after == 0 else {
                throw TensorError.invalidArgument(op: "pad", reason: "replicate padding (\(before), \(after)) needs non-negative amounts and a non-empty axis \(axis) (shape \(shape))")
            }
            rows = (-before..<(n + after)).map { Swift.min(Swift.max($0, 0), n - 1) }
        }
        if rows == Array(0..<n) { return self }
        let out = Tensor.selectRows(self, axis: axis, rows: rows, fill: fill)
        let (inputShape, selected) = (shape, rows)
        return Autograd.record(out, op: "pad", inputs: [self]) { g in
            [try Tensor.indexAdd(g, axis: axis, indices: selected, intoShape: inputShape)]
        }
    }
}
