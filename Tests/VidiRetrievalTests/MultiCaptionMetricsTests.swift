import Testing
import VidiRetrieval

/// The multi-sentence protocol of DRL / CLIP4Clip (`tensor_text_to_video_metrics`,
/// `tensor_video_to_text_sim`) on matrices small enough to rank by hand.
struct MultiCaptionMetricsTests {
    /// 5 captions of 3 videos, map [0, 0, 1, 2, 2]. Expected values worked out in the comments.
    @Test func ranksCaptionsAndCaptionGroupsByHand() throws {
        let sim: [Float] = [
            0.9, 0.1, 0.2,   // t0 -> v0: nothing above 0.9, rank 0
            0.3, 0.5, 0.4,   // t1 -> v0: 0.5 and 0.4 above 0.3, rank 2
            0.2, 0.6, 0.7,   // t2 -> v1: 0.7 above 0.6, rank 1
            0.1, 0.2, 0.8,   // t3 -> v2: rank 0
            0.5, 0.9, 0.3,   // t4 -> v2: rank 2
        ]
        let (t2v, v2t) = try MultiCaptionMetrics.both(similarity: sim, texts: 5, videos: 3, videoOfText: [0, 0, 1, 2, 2])
        #expect(t2v.ranks == [0, 2, 1, 0, 2])
        #expect(t2v.r1 == 40 && t2v.r5 == 100 && t2v.medianRank == 2 && t2v.meanRank == 2)
        // Group scores (best caption of each group) per video:
        //   v0: g0 max(0.9, 0.3) = 0.9, g1 0.2, g2 max(0.1, 0.5) = 0.5 -> own g0 rank 0
        //   v1: g0 max(0.1, 0.5) = 0.5, g1 0.6, g2 max(0.2, 0.9) = 0.9 -> own g1 rank 1
        //   v2: g0 max(0.2, 0.4) = 0.4, g1 0.7, g2 max(0.8, 0.3) = 0.8 -> own g2 rank 0
        #expect(v2t.ranks == [0, 1, 0])
        #expect(abs(v2t.r1 - 200.0 / 3) < 1e-9 && v2t.medianRank == 1 && abs(v2t.meanRank - 4.0 / 3) < 1e-9)
    }

    /// One caption per video in order is the square protocol, value for value.
    @Test func oneCaptionPerVideoEqualsTheSquareMetrics() throws {
        let sim: [Float] = [0.3, 0.2, 0.9, 0.1, 0.8, 0.4, 0.5, 0.5, 0.5]
        let multi = try MultiCaptionMetrics.both(similarity: sim, texts: 3, videos: 3, videoOfText: [0, 1, 2])
        let square = try RetrievalMetrics.both(similarity: sim, texts: 3, videos: 3)
        #expect(multi.t2v == square.t2v && multi.v2t == square.v2t)
    }

    @Test func badMapsAreErrors() {
        let sim: [Float] = [1, 0, 0, 1]
        #expect(throws: RetrievalError.self) { try MultiCaptionMetrics.both(similarity: sim, texts: 2, videos: 2, videoOfText: [0, 0]) }
        #expect(throws: RetrievalError.self) { try MultiCaptionMetrics.both(similarity: sim, texts: 2, videos: 2, videoOfText: [0, 2]) }
        #expect(throws: RetrievalError.self) { try MultiCaptionMetrics.both(similarity: sim, texts: 2, videos: 2, videoOfText: [0]) }
    }
}
