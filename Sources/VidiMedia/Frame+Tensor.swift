import VidiTensor

// Bridges from media values to VidiTensor tensors (copies; the media values stay usable).

extension Frame {
    /// The picture as a float32 tensor of shape [3, H, W] with values in [0, 1] (byte / 255), whatever
    /// the frame's layout.
    public func planarTensor() throws -> Tensor {
        switch pixels {
        case .planarFloat(let values):
            return try Tensor(values, shape: [3, height, width])
        case .rgb8(let bytes):
            return try Tensor(FrameConverter.planarFloats(bytes, width: width, height: height), shape: [3, height, width])
        }
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
