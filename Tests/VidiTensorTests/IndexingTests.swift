import Testing
import VidiTensor
import VidiTestSupport

/// gather / scatter / scatterAdd / indexSelect / maskedSelect / oneHot against PyTorch goldens (exact
/// outputs; gradients to 1e-6), plus finite-difference gradient checks and the error cases.
@Suite struct IndexingTests {
    @Test(arguments: [0, 1])
    func gatherMatchesTorch(axis: Int) throws {
        try checkGolden("gather_axis\(axis)", inputs: ["x"]) { inputs, golden in
            try inputs[0].gather(axis: axis, indices: golden.required("index"))
        }
    }

    @Test func scatterMatchesTorch() throws {
        try checkGolden("scatter_axis0", inputs: ["base", "src"]) { inputs, golden in
            try inputs[0].scatter(axis: 0, indices: golden.required("index"), source: inputs[1])
        }
    }

    @Test(arguments: [0, 1])
    func scatterAddMatchesTorch(axis: Int) throws {
        try checkGolden("scatter_add_axis\(axis)", inputs: ["base", "src"], rtol: 1e-6, atol: 1e-6) { inputs, golden in
            try inputs[0].scatterAdd(axis: axis, indices: golden.required("index"), source: inputs[1])
        }
    }

    @Test(arguments: [0, 2])
    func indexSelectMatchesTorch(axis: Int) throws {
        try checkGolden("index_select_axis\(axis)", inputs: ["y"]) { inputs, golden in
            try inputs[0].indexSelect(axis: axis, indices: golden.required("index"))
        }
    }

    @Test(arguments: ["masked_select", "masked_select_broadcast"])
    func maskedSelectMatchesTorch(name: String) throws {
        try checkGolden(name, inputs: ["m"]) { inputs, golden in try inputs[0].maskedSelect(golden.required("mask")) }
    }

    @Test func oneHotMatchesTorch() throws {
        let golden = try opsGolden("one_hot")
        let out = try golden.required("labels").oneHot(classes: 5)
        #expect(out.dtype == .int64 && out.shape == [5, 5])
        #expect(try out.toArray(Int64.self) == golden.required("out").toArray(Int64.self))
        #expect(try Tensor([1, 0] as [Int32], shape: [2]).oneHot().shape == [2, 2])
    }

    @Test func gradientsAgreeWithFiniteDifferences() throws {
        var generator = RandomGenerator(seed: 3)
        let x = Tensor.normal([3, 4], generator: &generator)
        let index = try Tensor([2, 0, 1, 3, 0, 0, 2, 1] as [Int64], shape: [2, 4])
        try gradCheck([x]) { try $0[0].gather(axis: 1, indices: index) }
        let source = Tensor.normal([2, 4], generator: &generator)
        try gradCheck([x, source]) { try $0[0].scatterAdd(axis: 1, indices: index, source: $0[1]) }
        try gradCheck([x]) { try $0[0].indexSelect(axis: 1, indices: Tensor([3, 3, 0] as [Int64], shape: [3])) }
    }

    @Test func scatterWithALargerSourceUsesItsCorner() throws {
        let base = Tensor.zeros([2, 3]).requiresGrad()
        let source = try Tensor((1...8).map { Float($0) }, shape: [2, 4]).requiresGrad()
        let index = try Tensor([1, 0, 1] as [Int64], shape: [1, 3])
        let out = try base.scatter(axis: 0, indices: index, source: source)
        #expect(try out.toArray(Float.self) == [0, 2, 0, 1, 0, 3])
        try out.sum().backward()
        #expect(try source.grad?.toArray(Float.self) == [1, 1, 1, 0, 0, 0, 0, 0])
        #expect(try base.grad?.toArray(Float.self) == [1, 0, 1, 0, 1, 0])
    }

    @Test func badIndicesAreErrorsNamingTheIndex() throws {
        let x = Tensor.zeros([2, 3])
        let error = #expect(throws: TensorError.self) { try x.gather(axis: 1, indices: Tensor([0, 3] as [Int64], shape: [1, 2])) }
        #expect("\(error.map(String.init(describing:)) ?? "")".contains("index 3 is out of range"))
        #expect(throws: TensorError.self) { try x.gather(axis: 1, indices: Tensor([-1] as [Int64], shape: [1, 1])) }
        #expect(throws: TensorError.self) { try x.gather(axis: 1, indices: Tensor([0] as [Int64], shape: [1])) }  // rank
        #expect(throws: TensorError.self) { try x.gather(axis: 0, indices: Tensor([0, 0, 0, 0] as [Int64], shape: [1, 4])) }  // too wide
        #expect(throws: TensorError.self) { try x.gather(axis: 0, indices: Tensor([0.0], shape: [1, 1])) }  // float indices
        #expect(throws: TensorError.self) { try x.indexSelect(axis: 0, indices: Tensor([2] as [Int64], shape: [1])) }
        #expect(throws: TensorError.self) { try x.scatter(axis: 0, indices: Tensor([0] as [Int64], shape: [1, 1]), source: Tensor.zeros([1, 1], dtype: .int64)) }
        #expect(throws: TensorError.self) { try x.maskedSelect(Tensor.zeros([2, 3])) }
        #expect(throws: TensorError.self) { try Tensor([3] as [Int64], shape: [1]).oneHot(classes: 3) }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 2], dtype: .bool).scatterAdd(axis: 0, indices: Tensor([0] as [Int64], shape: [1, 1]), source: Tensor.zeros([1, 1], dtype: .bool)) }
    }
}
