import Testing
import VidiTensor
import VidiTestSupport

/// Central finite differences (VidiTestSupport.gradCheck) for the differentiable ops whose own suites
/// check gradients against PyTorch goldens only, so every differentiable op has both references.
@Suite struct FiniteDifferenceCoverageTests {
    @Test func transposedConvolutions() throws {
        try gradCheck([smallInput([2, 4, 5], seed: 21), smallInput([4, 1, 3], seed: 22), smallInput([2], seed: 23)]) {
            try $0[0].convTranspose1d(weight: $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1, dilation: 1, groups: 2)
        }
        try gradCheck([smallInput([1, 2, 2, 3, 2], seed: 24), smallInput([2, 2, 2, 2, 2], seed: 25), smallInput([2], seed: 26)]) {
            try $0[0].convTranspose3d(weight: $0[1], bias: $0[2], stride: [2, 1, 2], padding: [0, 1, 0])
        }
    }

    @Test func sortingAndTopK() throws {
        // Distinct values spaced far wider than epsilon, so the finite differences never reorder elements.
        let x = try Tensor([0.9, -0.6, 0.3, 1.5, -1.2, 0.0, 0.6, -0.3] as [Float], shape: [2, 4])
        try gradCheck([x]) { try $0[0].sort(axis: 1, descending: true).values }
        try gradCheck([x]) { try $0[0].topK(2, axis: 1).values }
        try gradCheck([x]) { try $0[0].topK(1, axis: 0, largest: false).values }
    }

    @Test func joiningAndSplitting() throws {
        let a = smallInput([2, 3], seed: 31), b = smallInput([2, 1], seed: 32), c = smallInput([2, 3], seed: 33)
        try gradCheck([a, b]) { try Tensor.concatenate([$0[0], $0[1], $0[0]], axis: 1) }
        try gradCheck([a, c]) { try Tensor.stack([$0[0], $0[1]], axis: 1) }
        try gradCheck([smallInput([5, 2], seed: 34)]) {
            let parts = try $0[0].split(sizes: [2, 3], axis: 0)
            return try parts[0].sum() * parts[1].mean()
        }
        try gradCheck([smallInput([3, 4], seed: 35)]) { try $0[0].chunk(2, axis: 1)[1] }
    }

    @Test func cumulativeSumMaskedSelectAndScatter() throws {
        let x = smallInput([3, 4], seed: 41)
        try gradCheck([x]) { try $0[0].cumulativeSum(axis: 1) }
        try gradCheck([x]) { try $0[0].cumulativeSum(axis: 0) }
        let mask = try Tensor([true, false, true, true, false, false, true, false, true, true, false, true], shape: [3, 4])
        try gradCheck([x]) { try $0[0].maskedSelect(mask) }
        // scatter overwrites: the overwritten input positions get no gradient, the source all of its own.
        let index = try Tensor([2, 0, 1, 3, 1, 0] as [Int64], shape: [3, 2])
        try gradCheck([x, smallInput([3, 2], seed: 42)]) { try $0[0].scatter(axis: 1, indices: index, source: $0[1]) }
    }
}
