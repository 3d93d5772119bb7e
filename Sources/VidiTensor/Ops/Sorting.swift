/// Sorting and top-k along an axis, with PyTorch semantics.
///
/// Order: ascending or descending with NaN treated as larger than every number (PyTorch's rule: NaNs
/// last ascending, first descending). Sorting is stable: equal elements keep their original order,
/// which is what `torch.sort(stable=True)` gives. Top-k returns its k elements in sorted order and
/// breaks ties by lower index first; PyTorch documents no tie order for `torch.topk`, so results agree
/// with PyTorch whenever the selected values are distinct. Indices are int64. Gradients flow back to
/// the positions the values came from.
extension Tensor {
    /// Values sorted along `axis` and the int64 indices they came from (`torch.sort(stable=True)`).
    public func sort(axis: Int = -1, descending: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: "sort")
        return try selectSorted(axis: ax, count: shape[ax], descending: descending, op: "sort")
    }

    /// The int64 indices that sort this tensor along `axis` (stable).
    public func argsort(axis: Int = -1, descending: Bool = false) throws -> Tensor {
        try sort(axis: axis, descending: descending).indices
    }

    /// The `k` largest (or smallest) elements along `axis`, in sorted order, with their int64 indices.
    public func topK(_ k: Int, axis: Int = -1, largest: Bool = true) throws -> (values: Tensor, indices: Tensor) {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: "topK")
        guard k >= 0, k <= shape[ax] else {
            throw TensorError.invalidArgument(op: "topK", reason: "k = \(k) is outside 0...\(shape[ax]) for axis \(axis) of shape \(shape)")
        }
        return try selectSorted(axis: ax, count: k, descending: largest, op: "topK")
    }

    /// The first `count` elements of each line along `axis` in sorted order, and their indices.
    private func selectSorted(axis: Int, count: Int, descending: Bool, op: String) throws -> (values: Tensor, indices: Tensor) {
        var outShape = shape
        outShape[axis] = count
        let source = contiguousData()
        let values = Tensor(zeroed: outShape, dtype: dtype)
        let indices = Tensor(zeroed: outShape, dtype: .int64)
        let layout = AxisLayout(shape: shape, axis: axis)
        withExtendedLifetime(source) {
            guard layout.size < 1 << 32 else {
                // Lines too long to pack an index into 32 bits: sort (value key, index) pairs instead.
                Tensor.sortLines(source, values, indices, layout, count, descending, dtype)
                return
            }
            Tensor.sortLinesPacked(source, values, indices, layout, count, descending, dtype)
        }
        let inputShape = shape
        let selected = try indices.toArray(Int64.self).map { Int($0) }
        let result = Autograd.record(values, op: op, inputs: [self]) { [outShape] g in
            [try Tensor.scatterKernel(into: Tensor.zeros(inputShape), axis: axis, indices: selected, indexShape: outShape, source: g, add: true)]
        }
        return (result, indices)
    }

    /// An order-preserving 32-bit key of a float: NaN above +infinity, -0 equal to +0 (as PyTorch compares).
    @inline(__always)
    static func orderKey(_ value: Float) -> UInt32 {
        if value.isNaN { return .max }
        let bits = value == 0 ? 0 : value.bitPattern
        // Negative: flip every bit; positive: set the sign bit. Branch-free: signs of data are unpredictable.
        return bits ^ (UInt32(bitPattern: Int32(bitPattern: bits) >> 31) | 0x8000_0000)
    }

    /// The 64-bit order key of element `i` of a contiguous tensor of `dtype` (wider than any line index).
    @inline(__always)
    static func orderKey64(_ base: UnsafeRawPointer, _ i: Int, _ dtype: DType) -> UInt64 {
        switch dtype {
        case .float32: return UInt64(orderKey(base.load(fromByteOffset: 4 * i, as: Float.self)))
        case .int32: return UInt64(UInt32(bitPattern: base.load(fromByteOffset: 4 * i, as: Int32.self)) ^ 0x8000_0000)
        case .int64: return UInt64(bitPattern: base.load(fromByteOffset: 8 * i, as: Int64.self)) ^ (1 << 63)
        case .bool: return UInt64(base.load(fromByteOffset: i, as: UInt8.self))
        }
    }

    /// Sorts lines whose keys fit in 32 bits by packing `key << 32 | index` into one integer, so a plain
    /// integer sort orders by value and breaks ties by index (stability for free). Descending flips the
    /// key, not the index. Selecting k < n elements keeps a bounded heap instead of sorting the line.
    private static func sortLinesPacked(_ source: Tensor, _ values: Tensor, _ indices: Tensor, _ layout: AxisLayout,
                                        _ count: Int, _ descending: Bool, _ dtype: DType) {
        guard dtype != .int64 else {
            sortLines(source, values, indices, layout, count, descending, dtype)
            return
        }
        let width = dtype.byteSize
        let (s, v, x) = (UnsafeRawPointer(source.rawPointer), values.rawPointer, indices.typedPointer(Int64.self))
        var packed = [UInt64](repeating: 0, count: layout.size)
        var scratch = [UInt64](repeating: 0, count: layout.size)
        let useHeap = count < layout.size / 8
        for outer in 0..<layout.outer {
            for inner in 0..<layout.inner {
                let base = outer * layout.size * layout.inner + inner
                packed.withUnsafeMutableBufferPointer { keys in
                    // One plain loop per dtype (no closure in the hot loop).
                    let (flip, n, step) = (descending ? UInt64(UInt32.max) : 0, layout.size, layout.inner)
                    switch dtype {
                    case .float32:
                        let f = s.assumingMemoryBound(to: Float.self) + base
                        for i in 0..<n { keys[i] = (flip ^ UInt64(orderKey(f[i * step]))) << 32 | UInt64(i) }
                    case .int32:
                        let q = s.assumingMemoryBound(to: Int32.self) + base
                        for i in 0..<n { keys[i] = (flip ^ UInt64(UInt32(bitPattern: q[i * step]) ^ 0x8000_0000)) << 32 | UInt64(i) }
                    default:
                        for i in 0..<n { keys[i] = (flip ^ orderKey64(s, base + i * step, dtype)) << 32 | UInt64(i) }
                    }
                }
                if useHeap {
                    selectSmallest(&packed, count)
                } else {
                    radixSortByKey(&packed, scratch: &scratch)
                }
                let outBase = outer * count * layout.inner + inner
                for j in 0..<count {
                    let i = Int(packed[j] & 0xFFFF_FFFF)
                    let at = outBase + j * layout.inner
                    (v + at * width).copyMemory(from: s + (base + i * layout.inner) * width, byteCount: width)
                    x[at] = Int64(i)
                }
            }
        }
    }

    /// Sorts packed `key << 32 | index` values by their upper 32 bits with an LSD radix sort (four 8-bit
    /// passes). Radix sorting is stable and the values start in index order, so equal keys stay in index
    /// order, the same result as sorting the whole 64-bit values, in linear time.
    static func radixSortByKey(_ values: inout [UInt64], scratch: inout [UInt64]) {
        let n = values.count
        guard n > 1 else { return }
        guard n >= 64 else {
            values.sort()
            return
        }
        var counts = [Int](repeating: 0, count: 256)
        var sourceIsValues = true
        values.withUnsafeMutableBufferPointer { a in
            scratch.withUnsafeMutableBufferPointer { b in
                counts.withUnsafeMutableBufferPointer { count in
                    for pass in 0..<4 {
                        let shift = UInt64(32 + 8 * pass)
                        let (from, to) = sourceIsValues ? (a, b) : (b, a)
                        for i in 0..<256 { count[i] = 0 }
                        for i in 0..<n { count[Int((from[i] >> shift) & 0xFF)] += 1 }
                        // A pass where every key has the same byte would only copy: skip it.
                        if count[Int((from[0] >> shift) & 0xFF)] == n { continue }
                        var running = 0
                        for i in 0..<256 {
                            let c = count[i]
                            count[i] = running
                            running += c
                        }
                        for i in 0..<n {
                            let bucket = Int((from[i] >> shift) & 0xFF)
                            to[count[bucket]] = from[i]
                            count[bucket] += 1
                        }
                        sourceIsValues.toggle()
                    }
                }
            }
        }
        if !sourceIsValues { swap(&values, &scratch) }
    }

    /// Leaves the `k` smallest keys, ascending, in `keys[0..<k]` (a max-heap of size k over one pass).
    static func selectSmallest(_ keys: inout [UInt64], _ k: Int) {
        guard k > 0 else { return }
        keys.withUnsafeMutableBufferPointer { a in
            func siftDown(_ start: Int) {
                var parent = start
                while true {
                    let left = 2 * parent + 1
                    guard left < k else { return }
                    let child = left + 1 < k && a[left + 1] > a[left] ? left + 1 : left
                    guard a[child] > a[parent] else { return }
                    a.swapAt(child, parent)
                    parent = child
                }
            }
            for i in stride(from: k / 2 - 1, through: 0, by: -1) { siftDown(i) }
            for i in k..<a.count where a[i] < a[0] {
                a[0] = a[i]
                siftDown(0)
            }
            // Heap-sort the k survivors into ascending order.
            var end = k - 1
            while end > 0 {
                a.swapAt(0, end)
                var parent = 0
                while true {
                    let left = 2 * parent + 1
                    guard left < end else { break }
                    let child = left + 1 < end && a[left + 1] > a[left] ? left + 1 : left
                    guard a[child] > a[parent] else { break }
                    a.swapAt(child, parent)
                    parent = child
                }
                end -= 1
            }
        }
    }

    /// General path (int64 values, or lines longer than 2^32): sorts (key, index) pairs.
    private static func sortLines(_ source: Tensor, _ values: Tensor, _ indices: Tensor, _ layout: AxisLayout, _ count: Int,
                                  _ descending: Bool, _ dtype: DType) {
        let width = dtype.byteSize
        let (s, v, x) = (UnsafeRawPointer(source.rawPointer), values.rawPointer, indices.typedPointer(Int64.self))
        var pairs = [(key: UInt64, index: Int)]()
        pairs.reserveCapacity(layout.size)
        for outer in 0..<layout.outer {
            for inner in 0..<layout.inner {
                let base = outer * layout.size * layout.inner + inner
                pairs.removeAll(keepingCapacity: true)
                for i in 0..<layout.size {
                    let key = orderKey64(s, base + i * layout.inner, dtype)
                    pairs.append((descending ? UInt64.max - key : key, i))
                }
                pairs.sort { $0.key != $1.key ? $0.key < $1.key : $0.index < $1.index }
                let outBase = outer * count * layout.inner + inner
                for j in 0..<count {
                    let at = outBase + j * layout.inner
                    (v + at * width).copyMemory(from: s + (base + pairs[j].index * layout.inner) * width, byteCount: width)
                    x[at] = Int64(pairs[j].index)
                }
            }
        }
    }
}
