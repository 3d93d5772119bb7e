@_exported import VidiFormats
/// An n-dimensional array with value semantics.
///
/// A tensor is a view — `shape`, `strides` (in elements) and `offset` — onto shared `TensorStorage`.
/// Views (reshape, permute, slice, expand, …) share storage without copying; writing through
/// `withUnsafeMutableBufferPointer` copies first unless this tensor is the storage's only owner
/// (copy-on-write), so no tensor ever observes another's mutation.
///
/// A tensor that requires grad carries a `GradNode`; operations on it record how to propagate gradients
/// (see `Autograd`).
///
/// Every shape-dependent operation throws `TensorError` (operators too):
/// ```swift
/// let w = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]).requiresGrad()
/// let x = try Tensor([0.5, -1, 2], shape: [3])
/// let loss = try (w.matmul(x) + 1).relu().sum()
/// try loss.backward()          // w.grad: [[0.5, -1, 2], [0.5, -1, 2]]
/// ```
public struct Tensor: Sendable {
    public internal(set) var storage: TensorStorage
    public internal(set) var dtype: DType
    public internal(set) var shape: [Int]
    /// Element strides per axis; 0 on broadcast (expanded) axes.
    public internal(set) var strides: [Int]
    /// Offset of element `[0, 0, …]` from `storage.base`, in elements.
    public internal(set) var offset: Int
    /// The autograd node that produced this tensor, or its leaf node; nil when no grad is tracked.
    public internal(set) var gradNode: GradNode?

    /// A view onto existing storage. Throws if the view would reach outside the storage
    /// (used by loaders that map files and then describe tensors inside them).
    public init(storage: TensorStorage, dtype: DType, shape: [Int], strides: [Int], offset: Int = 0) throws {
        guard shape.count == strides.count, Shape.checkedElementCount(shape) != nil, offset >= 0 else {
            throw TensorError.invalidArgument(op: "Tensor(storage:)", reason: "shape \(shape), strides \(strides), offset \(offset) are not a valid view")
        }
        if !shape.contains(0) {
            // Lowest and highest element reached, with overflow checks: the values may come from a file.
            var lowest = offset, highest = offset, overflow = false
            for (dim, stride) in zip(shape, strides) {
                let (reach, o1) = (dim - 1).multipliedReportingOverflow(by: stride)
                let (moved, o2) = (stride >= 0 ? highest : lowest).addingReportingOverflow(reach)
                overflow = overflow || o1 || o2
                if stride >= 0 { highest = moved } else { lowest = moved }
            }
            let (end, o3) = (highest &+ 1).multipliedReportingOverflow(by: dtype.byteSize)
            guard !overflow, !o3, lowest >= 0, end <= storage.byteCount else {
                throw TensorError.invalidArgument(op: "Tensor(storage:)", reason: "view of shape \(shape) at offset \(offset) runs past the \(storage.byteCount)-byte storage")
            }
        }
        self.init(unchecked: storage, dtype: dtype, shape: shape, strides: strides, offset: offset)
    }

    @usableFromInline
    init(unchecked storage: TensorStorage, dtype: DType, shape: [Int], strides: [Int], offset: Int, gradNode: GradNode? = nil) {
        self.storage = storage
        self.dtype = dtype
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.gradNode = gradNode
    }

    /// Fresh contiguous zero-filled storage (kernels allocate their outputs through this).
    @usableFromInline
    init(zeroed shape: [Int], dtype: DType) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        let count = Shape.elementCount(shape)
        self.init(unchecked: TensorStorage(byteCount: count * dtype.byteSize), dtype: dtype,
                  shape: shape, strides: Shape.contiguousStrides(shape), offset: 0)
    }

    /// Fresh contiguous storage with undefined contents: only for kernels that write every element.
    init(uninitialized shape: [Int], dtype: DType) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        let count = Shape.elementCount(shape)
        self.init(unchecked: TensorStorage(uninitializedByteCount: count * dtype.byteSize), dtype: dtype,
                  shape: shape, strides: Shape.contiguousStrides(shape), offset: 0)
    }

    // MARK: - From Swift arrays

    /// A float32 tensor of `shape` filled row-major from `values`.
    public init(_ values: [Float], shape: [Int]) throws {
        try self.init(elements: values, shape: shape)
    }

    /// A tensor of `T`'s dtype: `Tensor([1, 0, 2] as [Int64], shape: [3])`.
    public init<T: TensorElement>(_ values: [T], shape: [Int]) throws {
        try self.init(elements: values, shape: shape)
    }

    /// A 1-D float32 tensor.
    public init(_ values: [Float]) {
        self.init(zeroed: [values.count], dtype: .float32)
        fill(from: values)
    }

    /// A tensor of `T`'s dtype (`[Int32]`, `[Int64]`, `[Bool]`, `[Float]`) filled row-major from `values`.
    public init<T: TensorElement>(elements values: [T], shape: [Int]) throws {
        guard Shape.checkedElementCount(shape) == values.count else {
            throw TensorError.countMismatch(op: "Tensor(_:shape:)", shape: shape, count: values.count)
        }
        self.init(zeroed: shape, dtype: T.dtype)
        fill(from: values)
    }

    /// A rank-0 float32 tensor.
    public init(_ scalar: Float) {
        self.init(zeroed: [], dtype: .float32)
        fill(from: [scalar])
    }

    /// A rank-0 tensor of `T`'s dtype.
    public init<T: TensorElement>(scalar: T) {
        self.init(zeroed: [], dtype: T.dtype)
        fill(from: [scalar])
    }

    /// A new contiguous tensor whose elements `body` writes, row-major, without a zero-fill first — the way
    /// kernels outside this module produce outputs. `body` must write every element.
    public init<T: TensorElement>(unsafeUninitializedShape shape: [Int], as type: T.Type,
                                  initializingWith body: (UnsafeMutableBufferPointer<T>) throws -> Void) rethrows {
        self.init(uninitialized: shape, dtype: T.dtype)
        try body(UnsafeMutableBufferPointer(start: typedPointer(T.self), count: elementCount))
    }

    /// Float32 shorthand for `init(unsafeUninitializedShape:as:initializingWith:)`.
    public init(unsafeUninitializedShape shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        try self.init(unsafeUninitializedShape: shape, as: Float.self, initializingWith: body)
    }

    private func fill<T>(from values: [T]) {
        values.withUnsafeBufferPointer { src in
            guard let base = src.baseAddress else { return }
            storage.pointer(as: T.self).update(from: base, count: src.count)
        }
    }

    // MARK: - Properties

    public var rank: Int { shape.count }
    public var elementCount: Int { Shape.elementCount(shape) }

    /// True when elements lie row-major without gaps from `offset` (size-1 axes may have any stride).
    public var isContiguous: Bool {
        var expected = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] != 1 {
            if shape[axis] == 0 { return true }
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// Pointer to element `[0, 0, …]`.
    @usableFromInline
    var rawPointer: UnsafeMutableRawPointer { storage.base + offset * dtype.byteSize }

    @usableFromInline
    func typedPointer<T>(_ type: T.Type) -> UnsafeMutablePointer<T> {
        rawPointer.assumingMemoryBound(to: T.self)
    }

    // MARK: - Element access

    /// The elements in row-major order as Float (ints converted, bools as 0/1).
    public var scalars: [Float] {
        let c = contiguousData()
        switch dtype {
        case .float32: return Array(UnsafeBufferPointer(start: c.typedPointer(Float.self), count: elementCount))
        case .int32: return UnsafeBufferPointer(start: c.typedPointer(Int32.self), count: elementCount).map { Float($0) }
        case .int64: return UnsafeBufferPointer(start: c.typedPointer(Int64.self), count: elementCount).map { Float($0) }
        case .bool: return UnsafeBufferPointer(start: c.typedPointer(Bool.self), count: elementCount).map { $0 ? 1 : 0 }
        }
    }

    /// The elements in row-major order; `T` must match `dtype`.
    public func toArray<T: TensorElement>(_ type: T.Type) throws -> [T] {
        try withUnsafeBufferPointer(as: T.self) { Array($0) }
    }

    /// The single element of a one-element tensor, as Float.
    public func item() throws -> Float {
        guard elementCount == 1 else {
            throw TensorError.invalidArgument(op: "item", reason: "tensor of shape \(shape) has \(elementCount) elements, not 1")
        }
        return scalars[0]
    }

    /// The single element of a one-element tensor; `T` must match `dtype`.
    public func item<T: TensorElement>(_ type: T.Type) throws -> T {
        guard elementCount == 1 else {
            throw TensorError.invalidArgument(op: "item", reason: "tensor of shape \(shape) has \(elementCount) elements, not 1")
        }
        return try toArray(T.self)[0]
    }

    /// Reads the elements in row-major order without copying when already contiguous.
    public func withUnsafeBufferPointer<T: TensorElement, R>(as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) throws -> R {
        guard T.dtype == dtype else { throw TensorError.dtypeMismatch(op: "withUnsafeBufferPointer", expected: dtype, actual: T.dtype) }
        let c = contiguousData()
        return try withExtendedLifetime(c.storage) {
            try body(UnsafeBufferPointer(start: c.typedPointer(T.self), count: c.elementCount))
        }
    }

    /// Float32 shorthand for `withUnsafeBufferPointer(as: Float.self)`.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        try withUnsafeBufferPointer(as: Float.self, body)
    }

    /// Writes the elements in place, row-major. Copies first unless this tensor is contiguous and the sole
    /// owner of writable storage, so other tensors sharing the bytes never see the change. The autograd
    /// node is kept (optimizers update parameters this way); gradients recorded earlier saw the old values.
    public mutating func withUnsafeMutableBufferPointer<T: TensorElement, R>(as type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) throws -> R {
        guard T.dtype == dtype else { throw TensorError.dtypeMismatch(op: "withUnsafeMutableBufferPointer", expected: dtype, actual: T.dtype) }
        makeUniqueContiguous()
        defer { storage.noteWrite() }
        return try body(UnsafeMutableBufferPointer(start: typedPointer(T.self), count: elementCount))
    }

    /// Float32 shorthand for `withUnsafeMutableBufferPointer(as: Float.self)`.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) throws -> R {
        try withUnsafeMutableBufferPointer(as: Float.self, body)
    }

    /// Replaces the values (same shape and dtype) while keeping this tensor's autograd leaf,
    /// as an optimizer step does: `try param.assign(param - lr * grad)`.
    public mutating func assign(_ values: Tensor) throws {
        guard values.shape == shape else { throw TensorError.shapeMismatch(op: "assign", lhs: shape, rhs: values.shape) }
        guard values.dtype == dtype else { throw TensorError.dtypeMismatch(op: "assign", expected: dtype, actual: values.dtype) }
        let node = gradNode
        self = values.detached().contiguousData()
        gradNode = node
    }

    /// Makes the storage this tensor's alone, contiguous and writable, for a write that follows: values
    /// derived from the old bytes (cached regrouped weights) are marked stale.
    @usableFromInline
    mutating func makeUniqueContiguous() {
        if isKnownUniquelyReferenced(&storage), !storage.isReadOnly, isContiguous {
            storage.noteWrite()
            return
        }
        let node = gradNode
        self = CPUKernels.copyContiguous(self)
        gradNode = node
    }

    /// A contiguous copy of the data when needed, without autograd (kernels read inputs through this).
    @usableFromInline
    func contiguousData() -> Tensor {
        isContiguous ? self : CPUKernels.copyContiguous(self)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        // Only the first few elements are read, so printing a huge tensor stays cheap.
        let shownCount = Swift.min(elementCount, 8)
        let head = (try? detached().reshaped([elementCount]).narrowed(axis: 0, start: 0, length: shownCount).scalars) ?? []
        let shown = head.map { "\($0)" }.joined(separator: ", ")
        return "Tensor(\(dtype), shape: \(shape), [\(shown)\(elementCount > 8 ? ", …" : "")]\(gradNode != nil ? ", requiresGrad" : ""))"
    }
}
