/// Where a `Trainer` gets its batches: a `WebDatasetLoader` over shards, or a generator that renders
/// samples on the fly (synthetic VOS clips). A source started at a `ReaderPosition` must deliver exactly
/// what an uninterrupted source delivers from there, so `--resume` stays bit-identical; each batch
/// carries the position after it.
public protocol BatchSource: AnyObject {
    /// The next batch, nil at the end of the data.
    func nextBatch() throws -> Batch?
    /// Shards and samples read or skipped so far.
    var report: ReaderReport { get }
    /// Stops background work; the source is not used afterwards.
    func close()
}

extension WebDatasetLoader: BatchSource {}
