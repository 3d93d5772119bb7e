import ArgumentParser
import Foundation
import VidiRetrieval
import VidiTensor

/// `vidi search --index INDEX "text"` / `--video FILE`.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Query a retrieval index with a text (text-to-video) or a video (video-to-video).",
        discussion: """
            Ranking is exact WTI (DRL's weighted token-wise interaction; TI when the index was built without \
            weight branches) over every video, or with --mode two-stage over the top --candidates videos by \
            one pooled vector each. --candidates-from FILE reranks only the row numbers (or ids) listed in \
            FILE, one per line: candidates served by an external engine (see `vidi index export`). \
            --query-vector Q.npy writes the query's pooled vector (D float32: the normalised weighted mean of \
            its normalised tokens or frames, the vector the exported pooled column is matched against by \
            inner product) and exits without searching: the input for FAISS or LanceDB.

              vidi search --index videos.vidx "a man is cooking" --top 5
              vidi search --index videos.vidx --video query.mp4 --json
            --json prints one object per hit per line: rank, video (row), id, score.
            """)

    @Option(help: "Index file (.vidx).")
    var index: String
    @Argument(help: "Text query.")
    var text: String?
    @Option(help: "Video query file (video-to-video search).")
    var video: String?
    @Option(help: "Model (default: the one the index was built with).")
    var weights: String?
    @Option(help: "Hits to return.")
    var top = 10
    @Option(help: "exact or two-stage.")
    var mode = "exact"
    @Option(help: "Two-stage: videos reranked exactly.")
    var candidates = 1000
    @Option(name: .customLong("candidates-from"), help: "Rerank only these rows or ids (one per line).")
    var candidatesFrom: String?
    @Option(name: .customLong("query-vector"), help: "Write the query's pooled vector (.npy, D float32) for an external engine, and exit.")
    var queryVector: String?
    @Flag(help: "One JSON object per hit per line.")
    var json = false

    func validate() throws {
        guard (text == nil) != (video == nil) else { throw ValidationError("give a text query or --video, not both") }
        guard mode == "exact" || mode == "two-stage" else { throw ValidationError("--mode must be exact or two-stage") }
        guard top > 0, candidates > 0 else { throw ValidationError("--top and --candidates must be positive") }
    }

    func run() throws {
        try RetrievalCommand.run("search") {
            let i = try RetrievalIndex(path: index)
            let model = try RetrievalModel(path: weights ?? i.metadata.model)
            let query: ScoringQuery
            if let text {
                query = try model.textQuery(text, interaction: i.interaction)
            } else {
                let v = try model.indexedVideo(path: video!, frames: i.slots, interaction: i.interaction)
                query = try ScoringQuery(tokens: v.features, weights: v.weights, padded: v.frameCount < i.slots)
            }
            if let queryVector {
                let pooled = IndexedVideo.pool(query.tokens, weights: query.weights, dimension: i.dimension)
                try Tensor(pooled, shape: [i.dimension]).writeNPY(to: queryVector)
                return
            }
            var hits: [RetrievalIndex.Hit]
            if let candidatesFrom {
                let lines = try String(contentsOfFile: candidatesFrom, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
                let rows = Dictionary(i.metadata.ids.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
                let list = try lines.map { line -> Int in
                    if let r = Int(line), r >= 0, r < i.count { return r }
                    if let r = rows[line] { return r }
                    throw RetrievalError.invalidArgument("\(candidatesFrom): \(line) is neither a row number nor an id of the index")
                }
                hits = try i.search(query, top: top, mode: .exact, restrictedTo: list)
            } else {
                hits = try i.search(query, top: top, mode: mode == "exact" ? .exact : .twoStage(candidates: candidates))
            }
            for hit in hits {
                MediaCommand.printLine(json ? try MediaCommand.jsonLine(hit) : String(format: "%3d  %.4f  %@", hit.rank, hit.score, hit.id))
            }
        }
    }
}
