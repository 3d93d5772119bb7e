import VidiNN
import VidiTensor

/// DRL's end-to-end forward (foolwood/DRL `DRL.forward`): CLIP encodes the captions' tokens and the clips'
/// frames; `DRLModel.loss` then aggregates, interacts and adds CDCR. The training loop around it is
/// VidiTraining's `Trainer` (`vidi train retrieval`).
extension DRLModel {
    /// `images` `[B, F, 3, R, R]` preprocessed frames with `frameMask` `[B, F]`, token `ids` `[B, L]` with
    /// `textMask` `[B, L]` → token and frame features (pair i is text i and clip i).
    public func encodePairs(images: Tensor, frameMask: Tensor, ids: Tensor, textMask: Tensor) throws -> (text: TokenFeatures, video: TokenFeatures) {
        guard images.rank == 5 else { throw RetrievalError.shape("images must be [B, F, 3, R, R], got \(images.shape)") }
        let b = images.shape[0], f = images.shape[1]
        let text = try TokenFeatures(clip.encodeTextTokens(ids), mask: textMask, name: "caption tokens")
        let frames = try clip.encodeImage(images.reshaped([b * f] + Array(images.shape[2...])))
        let video = try TokenFeatures(frames.reshaped([b, f, frames.shape[1]]), mask: frameMask, name: "clip frames")
        return (text, video)
    }

    /// Token ids `[B, L]` and mask `[B, L]` of `captions`: L is the longest caption (at most `maxTokens`),
    /// or `maxTokens` with `fullLength` (batches that are concatenated later need one length).
    public static func tokenBatch(_ captions: [String], tokenizer: CLIPTokenizer, maxTokens: Int = 32,
                                  fullLength: Bool = false) throws -> (ids: Tensor, mask: Tensor) {
        let rows = try captions.map { try tokenizer.tokenize($0, contextLength: maxTokens) }
        let length = fullLength ? maxTokens : rows.map(\.count).max() ?? 2
        var ids = [Int64](repeating: 0, count: rows.count * length), mask = [Float](repeating: 0, count: rows.count * length)
        for (r, row) in rows.enumerated() {
            for (k, id) in row.enumerated() { ids[r * length + k] = Int64(id); mask[r * length + k] = 1 }
        }
        return (try Tensor(elements: ids, shape: [rows.count, length]), try Tensor(mask, shape: [rows.count, length]))
    }
}
