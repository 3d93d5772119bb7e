/// Validation metrics that need the whole split at once, such as detection mAP (predictions of every
/// video ranked together): the trainer calls `begin` before a validation pass, `add` with every batch
/// (in evaluation mode, without gradients), and merges what `finish` returns into the pass's metrics.
/// `Trainer.evaluate` covers metrics that are sums over batches (accuracy); this covers the rest.
public struct SplitEvaluation {
    public var begin: () -> Void
    public var add: (Batch) throws -> Void
    public var finish: () throws -> [String: Double]

    public init(begin: @escaping () -> Void, add: @escaping (Batch) throws -> Void, finish: @escaping () throws -> [String: Double]) {
        self.begin = begin
        self.add = add
        self.finish = finish
    }
}
