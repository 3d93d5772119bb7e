import Testing
import VidiTensor
import VidiTestSupport

/// pad (constant / reflect / replicate) against torch.nn.functional.pad goldens (exact values, gradients
/// to 1e-6), cumulativeSum against torch.cumsum, plus cropping, errors and a finite-difference check.
@Suite struct PaddingTests {
    static func padding(_ golden: [String: Tensor]) throws -> [Int] {
        try golden.required("pad").toArray(Int64.self).map(Int.init)
    }

    @Test(arguments: [
        ("pad_constant_last", PaddingMode.constant(0.5)), ("pad_constant_two", .constant(-1)),
        ("pad_reflect_last", .reflect), ("pad_reflect_two", .reflect),
        ("pad_replicate_last", .replicate), ("pad_replicate_two", .replicate),
    ])
    func padMatchesTorch(name: String, mode: PaddingMode) throws {
        try checkGolden(name, inputs: ["x"]) { inputs, golden in try inputs[0].padded(Self.padding(golden), mode: mode) }
    }

    @Test(arguments: [("pad_replicate_three", PaddingMode.replicate), ("pad_reflect_three", .reflect)])
    func threeAxisPadMatchesTorch(name: String, mode: PaddingMode) throws {
        try checkGolden(name, inputs: ["v"]) { inputs, golden in try inputs[0].padded(Self.padding(golden), mode: mode) }
    }

    @Test func constantPadOfIntegersAndCropping() throws {
        let x = try Tensor([1, 2, 3] as [Int32], shape: [1, 3])
        #expect(try x.padded([1, 1], mode: .constant(7)).toArray(Int32.self) == [7, 1, 2, 3, 7])
        // Negative constant padding crops, as in PyTorch: F.pad([[0, 1, 2]], (-1, 2)) = [[1, 2, 0, 0]].
        #expect(try Tensor([0, 1, 2], shape: [1, 3]).padded([-1, 2]).toArray(Float.self) == [1, 2, 0, 0])
        try gradCheck([try Tensor([0.5, -1, 2, 0.25, 1.5, -0.75], shape: [2, 3])]) { try $0[0].padded([2, 1, 1, 1], mode: .reflect) }
    }

    @Test func badPaddingIsAnError() throws {
        let x = Tensor.zeros([2, 3])
        #expect(throws: TensorError.self) { try x.padded([3, 0], mode: .reflect) }  // not smaller than the axis
        #expect(throws: TensorError.self) { try x.padded([1]) }
        #expect(throws: TensorError.self) { try x.padded([1, 1, 1, 1, 1, 1]) }
        #expect(throws: TensorError.self) { try x.padded([-1, 0], mode: .replicate) }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 0]).padded([1, 1], mode: .replicate) }
        #expect(throws: TensorError.self) { try x.padded([-2, -2]) }
    }

    @Test(arguments: [0, 1])
    func cumulativeSumMatchesTorch(axis: Int) throws {
        try checkGolden("cumsum_axis\(axis)", inputs: ["x"], rtol: 1e-6, atol: 1e-6) { inputs, _ in try inputs[0].cumulativeSum(axis: axis) }
    }

    @Test func integerCumulativeSumIsInt64() throws {
        let golden = try opsGolden("cumsum_int32")
        let out = try golden.required("x").cumulativeSum(axis: 1)
        #expect(out.dtype == .int64)
        #expect(try out.toArray(Int64.self) == golden.required("out").toArray(Int64.self))
    }
}
