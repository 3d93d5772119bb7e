import Testing
import VidiTensor
import VidiTestSupport

/// sort / argsort / topK against PyTorch goldens (torch.sort(stable=True), torch.topk; exact values and
/// indices, gradients to 1e-6) plus NaN ordering, integer sorting, tie order and errors.
@Suite struct SortingTests {
    @Test(arguments: [(-1, false), (-1, true), (0, false), (0, true)])
    func sortMatchesStableTorchSort(axis: Int, descending: Bool) throws {
        let name = "sort_axis\(axis < 0 ? 1 : 0)_\(descending ? "desc" : "asc")"
        var indices: Tensor?
        try checkGolden(name, inputs: ["x"]) { inputs, _ in
            let sorted = try inputs[0].sort(axis: axis, descending: descending)
            indices = sorted.indices
            return sorted.values
        }
        let golden = try opsGolden(name)
        #expect(try indices?.toArray(Int64.self) == golden.required("indices").toArray(Int64.self), "\(name) indices (ties keep their order)")
        #expect(try golden.required("x").argsort(axis: axis, descending: descending).toArray(Int64.self)
                == golden.required("indices").toArray(Int64.self))
    }

    @Test(arguments: [false, true])
    func nanSortsAsLargest(descending: Bool) throws {
        let golden = try opsGolden("sort_nan_\(descending ? "desc" : "asc")")
        let sorted = try golden.required("x").sort(descending: descending)
        expectClose(sorted.values, try golden.required("out"), rtol: 0, atol: 0)
        #expect(try sorted.indices.toArray(Int64.self) == golden.required("indices").toArray(Int64.self))
    }

    @Test(arguments: ["sort_long_asc", "sort_long_desc", "sort_long_int32_desc"])
    func longLinesMatchTorch(name: String) throws {
        // 300- and 500-element lines take the radix-sort path; ties, NaN, ±0 and ±inf included.
        let golden = try opsGolden(name)
        let sorted = try golden.required("x").sort(axis: 1, descending: name.hasSuffix("desc"))
        expectClose(sorted.values, try golden.required("out"), rtol: 0, atol: 0, name)
        #expect(try sorted.indices.toArray(Int64.self) == golden.required("indices").toArray(Int64.self), "\(name) indices")
    }

    @Test func integerSortIsStable() throws {
        let golden = try opsGolden("sort_int64")
        let sorted = try golden.required("x").sort(axis: 1)
        #expect(try sorted.values.toArray(Int64.self) == golden.required("out").toArray(Int64.self))
        #expect(try sorted.indices.toArray(Int64.self) == golden.required("indices").toArray(Int64.self))
    }

    @Test(arguments: [(4, -1, true), (2, 0, false), (10, 1, true)])
    func topKMatchesTorch(k: Int, axis: Int, largest: Bool) throws {
        let name = "topk_k\(k)_axis\(axis < 0 ? 1 : axis)_\(largest ? "largest" : "smallest")"
        var indices: Tensor?
        try checkGolden(name, inputs: ["x"]) { inputs, _ in
            let top = try inputs[0].topK(k, axis: axis, largest: largest)
            indices = top.indices
            return top.values
        }
        #expect(try indices?.toArray(Int64.self) == opsGolden(name).required("indices").toArray(Int64.self))
    }

    @Test func topKTiesTakeTheLowerIndexFirst() throws {
        // Documented Vidi rule (PyTorch leaves tie order unspecified): equal values in index order.
        let x = try Tensor([1, 3, 3, 2, 3], shape: [5])
        let top = try x.topK(2)
        #expect(try top.indices.toArray(Int64.self) == [1, 2])
        #expect(try x.topK(2, largest: false).indices.toArray(Int64.self) == [0, 3])
        #expect(try Tensor([true, false, true], shape: [3]).sort().indices.toArray(Int64.self) == [1, 0, 2])
    }

    @Test func heapSelectionAgreesWithFullSort() throws {
        // Long lines with many ties, NaN and signed zeros take the bounded-heap path for small k; the result
        // must equal the first k of the (golden-tested) stable sort, values and indices.
        var generator = RandomGenerator(seed: 9)
        var values = try Tensor.uniform([3, 400], low: -4, high: 4, generator: &generator).round().toArray(Float.self)
        values[5] = .nan; values[17] = -0.0; values[401] = .nan; values[800] = .infinity
        let x = try Tensor(values, shape: [3, 400])
        for (k, largest) in [(1, true), (7, true), (7, false), (40, false)] {
            let top = try x.topK(k, axis: 1, largest: largest)
            let sorted = try x.sort(axis: 1, descending: largest)
            let prefixValues = try sorted.values.narrowed(axis: 1, start: 0, length: k).contiguous()
            let prefixIndices = try sorted.indices.narrowed(axis: 1, start: 0, length: k).contiguous()
            expectClose(top.values, prefixValues, rtol: 0, atol: 0, "k \(k) largest \(largest)")
            #expect(try top.indices.toArray(Int64.self) == prefixIndices.toArray(Int64.self), "k \(k) largest \(largest)")
        }
        // Packed int32 keys order like the int64 path.
        let ints = try x.to(.int32)
        #expect(try ints.sort(axis: 1, descending: true).indices.toArray(Int64.self)
                == ints.to(.int64).sort(axis: 1, descending: true).indices.toArray(Int64.self))
    }

    @Test func badArgumentsAreErrors() throws {
        let x = try Tensor([1, 2, 3], shape: [3])
        #expect(throws: TensorError.self) { try x.topK(4) }
        #expect(throws: TensorError.self) { try x.topK(-1) }
        #expect(throws: TensorError.self) { try x.sort(axis: 1) }
        #expect(try x.topK(0).values.shape == [0])
    }
}
