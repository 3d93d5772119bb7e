import Testing
@testable import VidiTensor
import VidiTestSupport

/// The backward paths that keep gradients in their tensor's own layout: matmul's gradient of a transposed
/// operand (a `Linear`'s `weightᵀ`, attention's `kᵀ`) computed as a transposed product, and slices of one
/// tensor adding their gradients into one buffer. Expected values: the same sums written out as loops in
/// Double here, independent of the kernels and of autograd.
@Suite struct GradientLayoutTests {
    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.normal(shape, generator: &generator)
    }

    static func expectValues(_ actual: Tensor?, _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        guard let actual else {
            Issue.record("no gradient", sourceLocation: sourceLocation)
            return
        }
        let values = actual.scalars
        #expect(values.count == expected.count, sourceLocation: sourceLocation)
        let worst = zip(values, expected).map { abs(Double($0) - $1) / (1 + abs($1)) }.max() ?? 0
        #expect(worst < 1e-5, "worst relative error \(worst)", sourceLocation: sourceLocation)
    }

    @Test func linearWeightGradientIsContiguousAndCorrect() throws {
        let (rows, inputs, outputs) = (7, 5, 6)
        let w = Self.random([outputs, inputs], seed: 1).requiresGrad(), x = Self.random([rows, inputs], seed: 2).requiresGrad()
        let c = Self.random([rows, outputs], seed: 3)
        try (x.matmul(w.transposed()) * c).sum().backward()
        let (xs, ws, cs) = (x.scalars.map(Double.init), w.scalars.map(Double.init), c.scalars.map(Double.init))
        var dw = [Double](repeating: 0, count: outputs * inputs), dx = [Double](repeating: 0, count: rows * inputs)
        for r in 0..<rows { for o in 0..<outputs { for i in 0..<inputs {
            dw[o * inputs + i] += cs[r * outputs + o] * xs[r * inputs + i]
            dx[r * inputs + i] += cs[r * outputs + o] * ws[o * inputs + i]
        } } }
        Self.expectValues(w.grad, dw)
        Self.expectValues(x.grad, dx)
        // The gradient that reaches `wᵀ` is laid out like `wᵀ` (a transposed view of contiguous data), so
        // the transpose's backward passes `w` a contiguous tensor without a column-by-column copy.
        let reachingTranspose = try Tensor.matmulGradient(c, x.detached(), product: .right, like: w.detached().transposed())
        #expect(!reachingTranspose.isContiguous)
        #expect(try reachingTranspose.transposed().isContiguous)
    }

    @Test func transposedOperandsOfABatchedProduct() throws {
        // scores = q · kᵀ as attention computes them, and a transposed left operand `aᵀ · b`.
        let (batch, heads, l, s, d) = (2, 3, 4, 5, 6)
        let q = Self.random([batch, heads, l, d], seed: 4).requiresGrad(), k = Self.random([batch, heads, s, d], seed: 5).requiresGrad()
        let c = Self.random([batch, heads, l, s], seed: 6)
        try (q.matmul(k.transposed(-2, -1)) * c).sum().backward()
        let (qs, ks, cs) = (q.scalars.map(Double.init), k.scalars.map(Double.init), c.scalars.map(Double.init))
        var dq = [Double](repeating: 0, count: qs.count), dk = [Double](repeating: 0, count: ks.count)
        for p in 0..<(batch * heads) { for i in 0..<l { for j in 0..<s { for e in 0..<d {
            let weight = cs[(p * l + i) * s + j]
            dq[(p * l + i) * d + e] += weight * ks[(p * s + j) * d + e]
            dk[(p * s + j) * d + e] += weight * qs[(p * l + i) * d + e]
        } } } }
        Self.expectValues(q.grad, dq)
        Self.expectValues(k.grad, dk)
        #expect(k.grad?.isContiguous == true)

        let a = Self.random([5, 4], seed: 7).requiresGrad(), b = Self.random([5, 3], seed: 8)
        let g = Self.random([4, 3], seed: 9)
        try (a.transposed().matmul(b) * g).sum().backward()
        let (bs, gs) = (b.scalars.map(Double.init), g.scalars.map(Double.init))
        var da = [Double](repeating: 0, count: 20)
        for kk in 0..<5 { for m in 0..<4 { for n in 0..<3 { da[kk * 4 + m] += gs[m * 3 + n] * bs[kk * 3 + n] } } }
        Self.expectValues(a.grad, da)
        #expect(a.grad?.isContiguous == true)
    }

    @Test func slicesOfOneTensorShareOneGradient() throws {
        // Three row blocks of a packed [9, 4] weight (as q, k, v are cut from `in_proj_weight`), a strided
        // slice, a selected row and a use of the whole tensor, all feeding one leaf.
        let w = Self.random([9, 4], seed: 10).requiresGrad()
        let c = (0..<5).map { Self.random([3, 4], seed: 20 + UInt64($0)) }
        let whole = Self.random([9, 4], seed: 30), row = Self.random([4], seed: 31), strided = Self.random([5, 4], seed: 32)
        var loss = try (w * whole).sum()
        for block in 0..<3 {
            loss = try loss + (w.narrowed(axis: 0, start: 3 * block, length: 3) * c[block]).sum() * Float(block + 1)
        }
        loss = try loss + (w.sliced(axis: 0, start: 0, end: 9, step: 2) * strided).sum()
        loss = try loss + (w.selecting(axis: 0, index: 4) * row).sum()
        try loss.backward()
        var expected = whole.scalars.map(Double.init)
        for block in 0..<3 { for (i, value) in c[block].scalars.enumerated() { expected[block * 12 + i] += Double(value) * Double(block + 1) } }
        for (i, value) in strided.scalars.enumerated() { expected[(i / 4) * 8 + i % 4] += Double(value) }
        for (i, value) in row.scalars.enumerated() { expected[16 + i] += Double(value) }
        Self.expectValues(w.grad, expected)
    }

    @Test func aSharedPendingGradientIsNotAddedIntoInPlace() throws {
        // x + (x[0:6] + x[0:6]): add's backward hands the same gradient tensor to all three uses; adding a
        // slice's share in place into that shared buffer would count it twice more (4c instead of 3c).
        let x = Self.random([6], seed: 40).requiresGrad(), c = Self.random([6], seed: 41)
        let slice = { try x.narrowed(axis: 0, start: 0, length: 6) }
        try ((x + (slice() + slice())) * c).sum().backward()
        Self.expectValues(x.grad, c.scalars.map { 3 * Double($0) })
    }

    @Test func finiteDifferencesAgree() throws {
        // A Linear through packed slices, end to end, against finite differences.
        let w = Self.random([6, 3], seed: 50), x = Self.random([4, 3], seed: 51)
        try gradCheck([w, x]) { t in
            let first = try t[1].matmul(t[0].narrowed(axis: 0, start: 0, length: 3).transposed())
            let second = try t[1].matmul(t[0].narrowed(axis: 0, start: 3, length: 3).transposed())
            return try first * second
        }
    }
}
