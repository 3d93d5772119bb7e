import VidiMedia
import VidiTensor

// Bridges from media values to VidiTensor tensors (copies; the media values stay usable). A target of
// its own so that decoding video does not link OpenBLAS, and the tensor core knows no media.

extension Frame {
    /// The picture as a float32 tensor of shape [3, H, W] with values in [0, 1] (byte / 255), whatever
    /// the frame's layout.
    public func planarTensor() throws -> Tensor {
        try Tensor(planarValues, shape: [3, height, width])
    }
}

extension FrameMotion {
    /// The vectors as an int32 tensor of shape [N, 10] in motion-vector-extractor's column order
    /// (source, w, h, src_x, src_y, dst_x, dst_y, motion_x, motion_y, motion_scale); [0, 10] for I-frames.
    public func vectorTensor() throws -> Tensor {
        try Tensor(vectors.flatMap(\.row), shape: [vectors.count, 10])
    }
}

extension MotionMap {
    /// The map as a float32 tensor of shape [H, W, 2].
    public func tensor() throws -> Tensor {
        try Tensor(values, shape: shape)
    }
}
