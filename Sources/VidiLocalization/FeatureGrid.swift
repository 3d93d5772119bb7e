/// Where feature vectors sit in time, for any extractor stride, window and frame rate.
///
/// Feature `i` summarises frames `[i·stride, i·stride + window)`; its centre is at
/// `(i·stride + window/2) / fps` seconds (ActionFormer's convention for THUMOS14 I3D features).
/// Models work in *grid units*: position `p` ∈ [0, T] with feature `i` covering `[i, i + 1)`, so the centre
/// of feature `i` is `p = i + 0.5`. `seconds(p)` maps grid units to seconds by the same affine rule,
/// so a segment predicted on the grid converts to seconds for any stride, window and fps.
public struct FeatureGrid: Sendable, Equatable {
    public var stride: Double
    public var window: Double
    public var fps: Double

    public init(stride: Double, window: Double, fps: Double) throws(LocalizationError) {
        guard stride > 0, window > 0, fps > 0, stride.isFinite, window.isFinite, fps.isFinite else {
            throw .invalidArgument("feature grid needs stride, window and fps > 0 (got \(stride), \(window), \(fps))")
        }
        self.stride = stride; self.window = window; self.fps = fps
    }

    /// One feature per second, centred at i + 0.5 s (the synthetic benchmark's grid).
    public static let unit = FeatureGrid(checked: 1, 1, 1)

    private init(checked stride: Double, _ window: Double, _ fps: Double) { self.stride = stride; self.window = window; self.fps = fps }

    /// Seconds of grid position `p`.
    public func seconds(_ p: Double) -> Double { ((p - 0.5) * stride + 0.5 * window) / fps }

    /// Grid position of a time in seconds (the inverse of `seconds`).
    public func position(_ seconds: Double) -> Double { (seconds * fps - 0.5 * window) / stride + 0.5 }

    /// Centre time of feature `i`.
    public func centre(ofFeature i: Int) -> Double { (Double(i) * stride + 0.5 * window) / fps }
}
