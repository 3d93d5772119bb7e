import VidiMedia
import VidiTensor

/// Images and video frames decoded with VidiMedia and preprocessed for CLIP.
public enum MediaInput {
    /// One image file (any format FFmpeg reads: PNG, JPEG, ...) → `[3, n, n]`.
    public static func image(path: String, resolution: Int) throws -> Tensor {
        let reader = try VideoReader(path: path)
        let frame = try reader.frame(at: 0, FrameOutput(size: .original, layout: .rgb8))
        guard let rgb = frame.rgb else { throw RetrievalError.invalidArgument("\(path): no RGB pixels decoded") }
        return try CLIPPreprocess.tensor(rgb: rgb, width: frame.width, height: frame.height, resolution: resolution)
    }

    /// DRL's frame sampling (foolwood/DRL `rawvideo_util.py`): frames at `fps` per second, then, past
    /// `maxFrames`, `maxFrames` of them at `linspace(0, count − 1)` (truncated to integers).
    public static func frameIndices(_ info: VideoInfo, maxFrames: Int, fps: Double) throws -> [Int] {
        guard maxFrames > 0, fps > 0 else { throw RetrievalError.invalidArgument("frames (\(maxFrames)) and fps (\(fps)) must be positive") }
        var indices = try FrameSampler.fps(fps).indices(for: info)
        if indices.isEmpty { indices = [0] }
        guard indices.count > maxFrames else { return indices }
        if maxFrames == 1 { return [indices[0]] }
        return (0..<maxFrames).map { k in indices[Int(Double(k) * Double(indices.count - 1) / Double(maxFrames - 1))] }
    }

    /// A video's sampled frames → `[F, 3, n, n]` (F ≤ maxFrames) and their indices.
    public static func videoFrames(path: String, resolution: Int, maxFrames: Int = 12, fps: Double = 1) throws -> (Tensor, [Int]) {
        let reader = try VideoReader(path: path)
        let indices = try frameIndices(reader.info, maxFrames: maxFrames, fps: fps)
        let frames = try reader.frames(at: indices, FrameOutput(size: .original, layout: .rgb8))
        let tensors = try frames.map { frame -> Tensor in
            guard let rgb = frame.rgb else { throw RetrievalError.invalidArgument("\(path): no RGB pixels decoded") }
            return try CLIPPreprocess.tensor(rgb: rgb, width: frame.width, height: frame.height, resolution: resolution)
        }
        return (try Tensor.stack(tensors, axis: 0), indices)
    }
}
