import VidiTensor

/// CLIP's encoders behind the calls the CLI and the index make: texts (tokenized here) and images or
/// frames (already preprocessed), in batches, without autograd.
public struct CLIPEncoder {
    public let model: CLIPModel
    public let tokenizer: CLIPTokenizer

    public init(model: CLIPModel, tokenizer: CLIPTokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    public var embedDim: Int { model.configuration.embedDim }
    public var resolution: Int? { model.configuration.vision?.resolution }

    /// Token ids `[N, L]` (zero-padded to the longest text, at most `maxTokens` and the model's context)
    /// and the mask of real tokens `[N, L]`.
    public func tokenize(_ texts: [String], maxTokens: Int? = nil) throws -> (ids: Tensor, mask: Tensor) {
        guard let context = model.configuration.text?.contextLength else {
            throw RetrievalError.checkpoint("this checkpoint has no text encoder")
        }
        let limit = min(maxTokens ?? context, context)
        let rows = try texts.map { try tokenizer.tokenize($0, contextLength: limit) }
        let length = rows.map(\.count).max() ?? 2
        var ids = [Int64](repeating: 0, count: texts.count * length)
        var mask = [Float](repeating: 0, count: texts.count * length)
        for (r, row) in rows.enumerated() {
            for (k, id) in row.enumerated() { ids[r * length + k] = Int64(id); mask[r * length + k] = 1 }
        }
        return (try Tensor(elements: ids, shape: [texts.count, length]), try Tensor(mask, shape: [texts.count, length]))
    }

    /// `encode_text` of each text: `[N, D]`, not normalised.
    public func encodeTexts(_ texts: [String]) throws -> Tensor {
        guard !texts.isEmpty else { return Tensor.zeros([0, embedDim]) }
        let (ids, _) = try tokenize(texts)
        return try withNoGrad { try model.encodeText(ids) }
    }

    /// Token features `[N, L, D]` with their mask, what WTI scores (DRL: at most 32 tokens).
    public func encodeTextTokens(_ texts: [String], maxTokens: Int = 32) throws -> TokenFeatures {
        let (ids, mask) = try tokenize(texts, maxTokens: maxTokens)
        return try TokenFeatures(withNoGrad { try model.encodeTextTokens(ids) }, mask: mask, name: "text tokens")
    }

    /// `encode_image` of preprocessed images `[N, 3, R, R]` in batches of `batch`: `[N, D]`.
    public func encodeImages(_ images: Tensor, batch: Int = 16) throws -> Tensor {
        let n = images.shape.first ?? 0
        guard n > 0 else { return Tensor.zeros([0, embedDim]) }
        var parts: [Tensor] = []
        var start = 0
        while start < n {
            let count = min(batch, n - start)
            parts.append(try withNoGrad { try model.encodeImage(images.narrowed(axis: 0, start: start, length: count).contiguous()) })
            start += count
        }
        return try Tensor.concatenate(parts, axis: 0)
    }
}
