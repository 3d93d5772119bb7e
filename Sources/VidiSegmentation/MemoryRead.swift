import Foundation
import VidiTensor

/// STCN's L2 memory read (hkchengrex/STCN `inference_memory_bank.py` and `model/network.py` MemoryReader):
/// affinity(m, q) = (2 k_m . k_q - |k_m|^2) / sqrt(CK), softmax over memory positions (top-k at
/// inference), readout = values x affinity. One affinity serves every object.
public enum MemoryRead {
    /// `[N, M]` affinity of memory keys `[CK, N]` and query keys `[CK, M]` (differentiable).
    public static func affinity(memoryKeys: Tensor, queryKeys: Tensor) throws -> Tensor {
        let ck = Float(memoryKeys.shape[0])
        let squared = try (memoryKeys * memoryKeys).sum(axis: 0).reshaped([memoryKeys.shape[1], 1])
        let dot = try memoryKeys.transposed().matmul(queryKeys)
        return try (dot * 2 - squared) / ck.squareRoot()
    }

    /// Training read: full softmax over memory (differentiable); values `[K, CV, N]` -> `[K, CV, M]`.
    public static func softmaxReadout(memoryKeys: Tensor, queryKeys: Tensor, values: Tensor) throws -> Tensor {
        let weights = try affinity(memoryKeys: memoryKeys, queryKeys: queryKeys).softmax(axis: 0)
        return try values.matmul(weights)
    }

    /// Inference read with top-k: for each query position the `topK` best memory positions, softmax over
    /// them, weighted sum of their values. The reference exponentiates without subtracting the maximum
    /// (overflowing to NaN for large affinities); this subtracts it, which is equal wherever the
    /// reference is finite. Values `[K, CV, N]` -> `[K, CV, M]`.
    public static func topKReadout(memoryKeys: Tensor, queryKeys: Tensor, values: Tensor, topK: Int) throws -> Tensor {
        let n = memoryKeys.shape[1], m = queryKeys.shape[1]
        let (objects, channels) = (values.shape[0], values.shape[1])
        guard values.shape[2] == n else {
            throw TensorError.invalidArgument(op: "MemoryRead.topKReadout", reason: "values \(values.shape) do not match \(n) memory positions")
        }
        let k = min(max(topK, 1), n)
        let affinity = try withNoGrad { try Self.affinity(memoryKeys: memoryKeys, queryKeys: queryKeys) }.contiguous()
        let memoryValues = values.contiguous()
        var indices = [Int](repeating: 0, count: m * k)
        var weights = [Float](repeating: 0, count: m * k)
        try affinity.withUnsafeBufferPointer { a in
            var bestValues = [Float](repeating: 0, count: k)
            var bestIndices = [Int](repeating: 0, count: k)
            for j in 0..<m {
                var count = 0
                for i in 0..<n {
                    let v = a[i * m + j]
                    if count == k && !(v > bestValues[k - 1]) { continue }
                    // Insert keeping descending order; equal values keep the earlier index first.
                    var position = count == k ? k - 1 : count
                    while position > 0 && v > bestValues[position - 1] {
                        bestValues[position] = bestValues[position - 1]
                        bestIndices[position] = bestIndices[position - 1]
                        position -= 1
                    }
                    bestValues[position] = v
                    bestIndices[position] = i
                    if count < k { count += 1 }
                }
                let top = bestValues[0]
                var sum: Float = 0
                for r in 0..<k { sum += Foundation.exp(bestValues[r] - top) }
                for r in 0..<k {
                    weights[j * k + r] = Foundation.exp(bestValues[r] - top) / sum
                    indices[j * k + r] = bestIndices[r]
                }
            }
        }
        var output = Tensor.zeros([objects, channels, m])
        try memoryValues.withUnsafeBufferPointer { v in
            try output.withUnsafeMutableBufferPointer { out in
                for row in 0..<(objects * channels) {
                    let source = row * n, target = row * m
                    for j in 0..<m {
                        var acc: Float = 0
                        for r in 0..<k { acc += weights[j * k + r] * v[source + indices[j * k + r]] }
                        out[target + j] = acc
                    }
                }
            }
        }
        return output
    }
}
