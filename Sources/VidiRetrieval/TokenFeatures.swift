import VidiTensor

/// A batch of token (or frame) features with the mask of the valid ones: `features` `[B, N, D]` float32,
/// `mask` `[B, N]` with 1 (or true) for a real token and 0 for padding. Every row needs one valid entry.
public struct TokenFeatures {
    public var features: Tensor
    /// `[B, N]` float32, exactly 0 or 1.
    public var mask: Tensor

    /// Checks shapes and converts a bool or numeric mask to float 0/1; a nil mask marks every entry valid.
    public init(_ features: Tensor, mask: Tensor? = nil, name: String = "features") throws {
        guard features.rank == 3, features.dtype == .float32 else {
            throw RetrievalError.shape("\(name) must be float32 [B, N, D], got \(features.dtype) \(features.shape)")
        }
        let b = features.shape[0], n = features.shape[1]
        guard b > 0, n > 0, features.shape[2] > 0 else { throw RetrievalError.shape("\(name) \(features.shape) is empty") }
        var m = Tensor.ones([b, n])
        if let mask {
            guard mask.shape == [b, n] else {
                throw RetrievalError.shape("\(name) mask \(mask.shape) does not match features \(features.shape) (expected [\(b), \(n)])")
            }
            m = try mask.to(.float32).ne(0).to(.float32)
        }
        let counts = try m.sum(axis: 1).scalars
        if let row = counts.firstIndex(of: 0) {
            throw RetrievalError.emptyMask("\(name) row \(row) has no valid entry")
        }
        self.features = features
        self.mask = m
    }

    public var batch: Int { features.shape[0] }
    public var length: Int { features.shape[1] }
    public var dimension: Int { features.shape[2] }
    /// The mask as bool, true for padding (what `maskedFill` takes).
    public func paddingMask() throws -> Tensor { try mask.eq(0) }
    /// Valid entries per row.
    public func validCounts() throws -> [Int] { try mask.sum(axis: 1).scalars.map { Int($0) } }
}
