import Testing
import VidiTensor
import VidiTestSupport

@Suite struct TensorBasicsTests {
    @Test func initialisersKeepValuesAndShape() throws {
        let t = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(t.shape == [2, 3] && t.strides == [3, 1] && t.dtype == .float32)
        #expect(t.scalars == [1, 2, 3, 4, 5, 6])
        let i = try Tensor([7, -8] as [Int64], shape: [2, 1])
        #expect(i.dtype == .int64)
        #expect(try i.toArray(Int64.self) == [7, -8])
        let b = try Tensor([true, false], shape: [2])
        #expect(b.dtype == .bool && b.scalars == [1, 0])
        #expect(try Tensor(Float(3.5)).item() == 3.5)
        #expect(Tensor(scalar: Int32(9)).shape == [])
    }

    @Test func countMismatchThrows() {
        #expect(throws: TensorError.countMismatch(op: "Tensor(_:shape:)", shape: [2, 2], count: 3)) {
            try Tensor([1, 2, 3], shape: [2, 2])
        }
        #expect(throws: TensorError.self) { try Tensor([1, 2, 3], shape: [3]).toArray(Int32.self) }
        #expect(throws: TensorError.self) { try Tensor([1, 2, 3], shape: [3]).item() }
    }

    @Test func factories() throws {
        #expect(Tensor.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor.ones([3], dtype: .int32).scalars == [1, 1, 1])
        #expect(Tensor.full([2], value: Float(2.5)).scalars == [2.5, 2.5])
        #expect(try Tensor.arange(0, 1, step: 0.25).scalars == [0, 0.25, 0.5, 0.75])  // numpy.arange(0, 1, 0.25)
        #expect(try Tensor.arange(5, 0, step: -2).scalars == [5, 3, 1])
        #expect(try Tensor.arange(count: 4).toArray(Int64.self) == [0, 1, 2, 3])
        #expect(try Tensor.linspace(-1, 1, count: 5).scalars == [-1, -0.5, 0, 0.5, 1])  // numpy.linspace(-1, 1, 5)
        #expect(Tensor.eye(2, 3).scalars == [1, 0, 0, 0, 1, 0])
        #expect(throws: TensorError.self) { try Tensor.arange(0, 1, step: 0) }
    }

    @Test func reshapeIsAViewWhenPossibleAndCopiesOtherwise() throws {
        let t = try Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        let r = try t.reshaped([6, -1])
        #expect(r.shape == [6, 4] && r.storage === t.storage)
        let p = try t.permuted([2, 0, 1])  // [4, 2, 3], not contiguous
        #expect(p.storage === t.storage && !p.isContiguous)
        let flat = try p.reshaped([-1])
        #expect(flat.storage !== t.storage)
        // numpy: np.arange(24).reshape(2,3,4).transpose(2,0,1).reshape(-1)[:8]
        #expect(Array(flat.scalars.prefix(8)) == [0, 4, 8, 12, 16, 20, 1, 5])
        #expect(throws: TensorError.shapeMismatch(op: "reshape", lhs: [2, 3, 4], rhs: [5, -1])) { try t.reshaped([5, -1]) }
        #expect(try t.flattened(from: 1).shape == [2, 12])
    }

    @Test func slicesWithStepAndNegativeIndices() throws {
        let t = try Tensor((0..<20).map(Float.init), shape: [4, 5])
        // numpy: a[:, 1::2] and a[-2:, ::3]
        let s = try t.sliced(axis: 1, start: 1, step: 2)
        #expect(s.shape == [4, 2] && s.storage === t.storage)
        #expect(s.scalars == [1, 3, 6, 8, 11, 13, 16, 18])
        let u = try t.sliced(axis: 0, start: -2).sliced(axis: 1, step: 3)
        #expect(u.scalars == [10, 13, 15, 18])
        #expect(try t.sliced(axis: 0, start: 3, end: 1).shape == [0, 5])
        #expect(try t.narrowed(axis: 1, start: 2, length: 2).scalars == [2, 3, 7, 8, 12, 13, 17, 18])
        #expect(try t.selecting(axis: 1, index: -1).scalars == [4, 9, 14, 19])
        #expect(throws: TensorError.self) { try t.narrowed(axis: 1, start: 4, length: 2) }
        #expect(throws: TensorError.invalidAxis(op: "slice", axis: 2, rank: 2)) { try t.sliced(axis: 2) }
    }

    @Test func expandSqueezeUnsqueeze() throws {
        let t = try Tensor([1, 2, 3], shape: [3, 1])
        let e = try t.expanded(to: [2, 3, 4])
        #expect(e.strides == [0, 1, 0] && e.storage === t.storage)
        let expected: [Float] = (0..<24).map { (index: Int) -> Float in Float((index / 4) % 3 + 1) }
        #expect(e.contiguous().scalars == expected)
        #expect(throws: TensorError.self) { try t.expanded(to: [2, 4]) }
        #expect(try t.squeezed(axis: 1).shape == [3])
        #expect(throws: TensorError.self) { try t.squeezed(axis: 0) }
        #expect(try t.unsqueezed(axis: 0).shape == [1, 3, 1])
        #expect(try t.unsqueezed(axis: -1).shape == [3, 1, 1])
        #expect(t.squeezed().shape == [3])
    }

    @Test func copyOnWriteKeepsOtherValuesIntact() throws {
        let a = try Tensor([1, 2, 3, 4], shape: [2, 2])
        var b = a
        try b.withUnsafeMutableBufferPointer { $0[0] = 100 }
        #expect(a.scalars == [1, 2, 3, 4])
        #expect(b.scalars == [100, 2, 3, 4])
        // A unique contiguous tensor is written in place.
        let before = ObjectIdentifier(b.storage)
        try b.withUnsafeMutableBufferPointer { $0[1] = 200 }
        #expect(ObjectIdentifier(b.storage) == before)
        // Writing through a transposed view materialises it first.
        var t = try a.transposed()
        try t.withUnsafeMutableBufferPointer { $0[1] = -1 }
        #expect(t.scalars == [1, -1, 2, 4] && a.scalars == [1, 2, 3, 4])
    }

    @Test func readOnlyStorageIsNeverWritten() throws {
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 64)
        bytes.initializeMemory(as: Float.self, from: [1, 2, 3, 4], count: 4)
        let storage = TensorStorage(adopting: bytes, byteCount: 16, isReadOnly: true) { pointer, _ in pointer.deallocate() }
        var t = try Tensor(storage: storage, dtype: .float32, shape: [4], strides: [1])
        let original = t
        try t.withUnsafeMutableBufferPointer { $0[0] = 9 }
        #expect(t.scalars == [9, 2, 3, 4] && original.scalars == [1, 2, 3, 4])
        #expect(bytes.load(as: Float.self) == 1)
        #expect(throws: TensorError.self) {
            try Tensor(storage: storage, dtype: .float32, shape: [3], strides: [2], offset: 0)  // reaches element 4
        }
    }

    @Test func emptyTensors() throws {
        let e = Tensor.zeros([0, 3])
        #expect(e.elementCount == 0 && e.scalars.isEmpty)
        #expect(try (e + e).shape == [0, 3])
        #expect(try e.sum(axis: 0).scalars == [0, 0, 0])
        #expect(try e.sum().item() == 0)
        #expect(try e.exp().shape == [0, 3])
        #expect(try e.reshaped([3, 0]).shape == [3, 0])
        #expect(throws: TensorError.self) { try e.max(axis: 0) }
        #expect(try e.matmul(Tensor.zeros([3, 2])).shape == [0, 2])
        #expect(try Tensor.zeros([2, 0]).matmul(Tensor.zeros([0, 3])).scalars == [0, 0, 0, 0, 0, 0])
    }

    @Test func castsFollowNumPy() throws {
        let x = try Tensor([-1.7, -0.2, 0, 2.9, 3e10], shape: [5])
        // numpy: np.array([...], np.float32).astype(np.int32) truncates toward zero (saturation is ours).
        #expect(try x.to(.int32).toArray(Int32.self) == [-1, 0, 0, 2, Int32.max])
        #expect(try x.to(.bool).toArray(Bool.self) == [true, true, false, true, true])
        let big = try Tensor([Int64(1) << 32 + 5], shape: [1])
        #expect(try big.to(.int32).toArray(Int32.self) == [5])  // numpy astype wraps
        #expect(try Tensor([true, false], shape: [2]).to(.float32).scalars == [1, 0])
    }
}

@Suite struct HostileShapeTests {
    /// Shapes and strides that could come from a file header: errors, never traps.
    @Test func overflowingShapesThrow() throws {
        let storage = TensorStorage(byteCount: 64)
        #expect(throws: TensorError.self) { try Tensor(storage: storage, dtype: .float32, shape: [Int.max, 2], strides: [2, 1]) }
        #expect(throws: TensorError.self) { try Tensor(storage: storage, dtype: .float32, shape: [2, 2], strides: [Int.max / 2, 1]) }
        #expect(throws: TensorError.self) { try Tensor(storage: storage, dtype: .float32, shape: [-1], strides: [1]) }
        #expect(throws: TensorError.self) { try Tensor([1, 2], shape: [Int.max, Int.max]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([4]).reshaped([Int.max, Int.max, -1]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([4]).narrowed(axis: 0, start: 1, length: Int.max) }
        #expect(throws: TensorError.self) { try Tensor.arange(0, 1e30, step: 1) }
        #expect(try Tensor.zeros([4]).sliced(axis: 0, start: 1, step: Int.max).shape == [1])
    }
}

@Suite struct ConvenienceTests {
    @Test func compoundAssignmentAndDescription() throws {
        var x = try Tensor([1, 2, 3], shape: [3])
        try x += 1
        try x *= Tensor([2, 2, 2], shape: [3])
        #expect(x.scalars == [4, 6, 8])
        #expect(x.description == "Tensor(float32, shape: [3], [4.0, 6.0, 8.0])")
        let big = try Tensor.arange(0, 20).reshaped([4, 5]).transposed()
        #expect(big.description == "Tensor(float32, shape: [5, 4], [0.0, 5.0, 10.0, 15.0, 1.0, 6.0, 11.0, 16.0, …])")
    }
}
