import Foundation

/// The per-frame region (J) and boundary (F) measures of the DAVIS 2017 evaluation
/// (davisvideochallenge/davis2017-evaluation, `davis2017/metrics.py`: `db_eval_iou`, `f_measure`,
/// `_seg2bmap`), computed the same way on binary masks given as `[Bool]`, row-major.
public enum DavisMeasures {
    /// Jaccard index |S n G| / |S u G|; 1 when the union is empty (`db_eval_iou` without void pixels).
    public static func jaccard(_ truth: [Bool], _ prediction: [Bool]) -> Double {
        var intersection = 0, union = 0
        for i in truth.indices {
            let t = truth[i], p = prediction[i]
            if t && p { intersection += 1 }
            if t || p { union += 1 }
        }
        return union == 0 ? 1 : Double(intersection) / Double(union)
    }

    /// The tolerance of `f_measure`: ceil(0.008 x the image diagonal) pixels.
    public static func boundaryTolerance(width: Int, height: Int) -> Int {
        Int((0.008 * (Double(height * height + width * width)).squareRoot()).rounded(.up))
    }

    /// `_seg2bmap`: a pixel is on the boundary when it differs from its right, bottom or bottom-right
    /// neighbour; the last row compares only right, the last column only bottom, the corner is 0.
    public static func boundaryMap(_ mask: [Bool], width: Int, height: Int) -> [Bool] {
        var boundary = [Bool](repeating: false, count: mask.count)
        for y in 0..<height {
            for x in 0..<width {
                let v = mask[y * width + x]
                let lastRow = y == height - 1, lastColumn = x == width - 1
                if lastRow && lastColumn { continue }
                let east = lastColumn ? false : mask[y * width + x + 1]
                if lastRow {
                    boundary[y * width + x] = v != east
                } else if lastColumn {
                    boundary[y * width + x] = v != mask[(y + 1) * width + x]
                } else {
                    let south = mask[(y + 1) * width + x], southEast = mask[(y + 1) * width + x + 1]
                    boundary[y * width + x] = v != east || v != south || v != southEast
                }
            }
        }
        return boundary
    }

    /// Dilation by `skimage.morphology.disk(radius)` (offsets with dx^2 + dy^2 <= radius^2), pixels outside the
    /// image ignored, as `cv2.dilate` with its default border does.
    public static func dilate(_ map: [Bool], width: Int, height: Int, radius: Int) -> [Bool] {
        var out = [Bool](repeating: false, count: map.count)
        let halfWidths = (0...radius).map { dy -> Int in
            var half = 0
            while (half + 1) * (half + 1) + dy * dy <= radius * radius { half += 1 }
            return half
        }
        for y in 0..<height {
            for x in 0..<width where map[y * width + x] {
                for dy in -radius...radius {
                    let row = y + dy
                    guard row >= 0, row < height else { continue }
                    let half = halfWidths[abs(dy)]
                    let start = max(x - half, 0), end = min(x + half, width - 1)
                    for column in start...end { out[row * width + column] = true }
                }
            }
        }
        return out
    }

    /// `f_measure` with its rules for empty boundaries: none predicted but some true -> P 1, R 0; the
    /// reverse -> P 0, R 1; neither -> 1, 1; F = 2PR / (P + R), 0 when P + R = 0.
    public static func boundaryF(_ truth: [Bool], _ prediction: [Bool], width: Int, height: Int) -> Double {
        let radius = boundaryTolerance(width: width, height: height)
        let predictedBoundary = boundaryMap(prediction, width: width, height: height)
        let trueBoundary = boundaryMap(truth, width: width, height: height)
        let predictedCount = predictedBoundary.lazy.filter { $0 }.count
        let trueCount = trueBoundary.lazy.filter { $0 }.count
        let precision: Double, recall: Double
        switch (predictedCount, trueCount) {
        case (0, 0): (precision, recall) = (1, 1)
        case (0, _): (precision, recall) = (1, 0)
        case (_, 0): (precision, recall) = (0, 1)
        default:
            let dilatedTruth = dilate(trueBoundary, width: width, height: height, radius: radius)
            let dilatedPrediction = dilate(predictedBoundary, width: width, height: height, radius: radius)
            var predictedMatched = 0, trueMatched = 0
            for i in predictedBoundary.indices {
                if predictedBoundary[i] && dilatedTruth[i] { predictedMatched += 1 }
                if trueBoundary[i] && dilatedPrediction[i] { trueMatched += 1 }
            }
            precision = Double(predictedMatched) / Double(predictedCount)
            recall = Double(trueMatched) / Double(trueCount)
        }
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
    }
}
