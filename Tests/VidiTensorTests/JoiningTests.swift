import Testing
import VidiTensor
import VidiTestSupport

/// concatenate / stack / split / chunk against PyTorch goldens (torch.cat, torch.stack, torch.chunk sizes;
/// exact values, gradients to 1e-6) and the error cases.
@Suite struct JoiningTests {
    @Test func concatenateMatchesTorch() throws {
        try checkGolden("cat_axis0", inputs: ["a", "b"]) { inputs, _ in try Tensor.concatenate(inputs, axis: 0) }
        try checkGolden("cat_axis1", inputs: ["a", "c"]) { inputs, _ in try Tensor.concatenate(inputs, axis: -1) }
    }

    @Test func stackMatchesTorch() throws {
        try checkGolden("stack_axis1", inputs: ["p", "q", "r"]) { inputs, _ in try Tensor.stack(inputs, axis: 1) }
        try checkGolden("stack_axis2", inputs: ["p", "q", "r"]) { inputs, _ in try Tensor.stack(inputs, axis: -1) }
    }

    @Test func chunkSizesMatchTorch() throws {
        let golden = try opsGolden("chunk_sizes")
        for (n, k) in [(10, 4), (6, 4), (5, 5), (3, 5), (12, 3)] {
            let chunks = try Tensor.arange(count: n).chunk(k)
            let expected = try golden.required("chunk_\(n)_of_\(k)").toArray(Int64.self).map(Int.init)
            #expect(chunks.map { $0.shape[0] } == expected, "chunk(\(n), \(k))")
            #expect(try chunks.flatMap { try $0.toArray(Int64.self) } == (0..<n).map(Int64.init))
        }
        #expect(try Tensor.zeros([0]).chunk(3).count == 3)  // PyTorch returns `chunks` empty pieces here
    }

    @Test func splitIsViewsWithGradients() throws {
        let x = try Tensor((0..<12).map(Float.init), shape: [3, 4]).requiresGrad()
        let parts = try x.split(sizes: [1, 3], axis: 1)
        #expect(parts.map(\.shape) == [[3, 1], [3, 3]])
        #expect(parts[0].storage === x.storage)
        #expect(try parts[1].contiguous().toArray(Float.self) == [1, 2, 3, 5, 6, 7, 9, 10, 11])
        try (parts[0].sum() + (parts[1] * 2).sum()).backward()
        #expect(try x.grad?.toArray(Float.self) == [1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2])
        #expect(try x.split(size: 2, axis: 0).map(\.shape) == [[2, 4], [1, 4]])
    }

    @Test func badArgumentsAreErrors() throws {
        let a = Tensor.zeros([2, 3]), b = Tensor.zeros([2, 4])
        #expect(throws: TensorError.self) { try Tensor.concatenate([a, b], axis: 0) }
        #expect(throws: TensorError.self) { try Tensor.concatenate([a, Tensor.zeros([2, 3], dtype: .int32)], axis: 0) }
        #expect(throws: TensorError.self) { try Tensor.concatenate([], axis: 0) }
        #expect(throws: TensorError.self) { try Tensor.stack([a, b]) }
        #expect(throws: TensorError.self) { try a.split(sizes: [1, 1], axis: 1) }
        #expect(throws: TensorError.self) { try a.chunk(0) }
        #expect(try Tensor.concatenate([a, b], axis: 1).shape == [2, 7])
    }
}
