/// Non-maximum suppression of scored segments, the two forms temporal detectors use.
///
/// - `softGaussian` follows BMN's post-processing (JJBOY/BMN-Boundary-Matching-Network, `post_processing.py`,
///   `soft_nms`): repeatedly take the best remaining segment; every other segment whose tIoU with it exceeds
///   `lowThreshold + (highThreshold − lowThreshold) · width` (width = the best segment's length divided by
///   `normalizer`, the video length, so the threshold adapts to duration) has its score multiplied by
///   `exp(−tIoU² / alpha)`. BMN: alpha 0.4, t1 0.5, t2 0.9, keep 100. With t1 = t2 = 0 every overlap decays,
///   which is ActionFormer's Gaussian Soft-NMS (`exp(−tIoU²/σ)`, σ 0.5, keep 200, minimum score 0.001).
/// - `hard` keeps the best segment and drops every other with tIoU > threshold.
public enum Suppression: Sendable, Equatable {
    case softGaussian(alpha: Double, lowThreshold: Double, highThreshold: Double)
    case hard(threshold: Double)

    /// BMN's documented setting.
    public static let bmn = Suppression.softGaussian(alpha: 0.4, lowThreshold: 0.5, highThreshold: 0.9)
    /// ActionFormer's documented setting (σ = 0.5, every overlap decays).
    public static let actionFormer = Suppression.softGaussian(alpha: 0.5, lowThreshold: 0, highThreshold: 0)

    /// Suppresses `segments` (any order) and returns at most `keep` survivors by descending (decayed) score;
    /// segments whose score falls below `minimumScore` are dropped. `normalizer` is the length that turns a
    /// segment's duration into BMN's relative width (the video's duration; 1 when segments are already in [0, 1]).
    public func apply(_ segments: [ScoredSegment], keep: Int, normalizer: Double = 1, minimumScore: Double = 0) -> [ScoredSegment] {
        var pool = segments.filter { $0.score.isFinite }
        var kept: [ScoredSegment] = []
        while !pool.isEmpty && kept.count < keep {
            // The first of the highest scores (Python's `list.index(max(list))`).
            var best = 0
            for i in 1..<pool.count where pool[i].score > pool[best].score { best = i }
            let top = pool.remove(at: best)
            if top.score < minimumScore { break }
            kept.append(top)
            switch self {
            case let .softGaussian(alpha, low, high):
                let width = (top.end - top.start) / normalizer
                let threshold = low + (high - low) * width
                for i in pool.indices {
                    let iou = temporalIoU((pool[i].start, pool[i].end), (top.start, top.end))
                    if iou > threshold { pool[i].score *= Foundation.exp(-iou * iou / alpha) }
                }
            case let .hard(threshold):
                pool.removeAll { temporalIoU(($0.start, $0.end), (top.start, top.end)) > threshold }
            }
        }
        return kept
    }
}

import Foundation
