import Foundation

/// One object's measures over a sequence.
public struct DavisObjectResult: Sendable, Equatable {
    /// `<sequence>_<object id>`, the official per-sequence table's name.
    public var name: String { "\(sequence)_\(objectID)" }
    public let sequence: String
    public let objectID: Int
    public let j: DavisStatistics
    public let f: DavisStatistics
    /// Per-frame values (frames 1 ... N-2).
    public let framesJ: [Double]
    public let framesF: [Double]
}

/// The global measures under the official column names, and every object's results.
public struct DavisReport: Sendable, Equatable {
    public let objects: [DavisObjectResult]

    /// `J&F-Mean`, `J-Mean`, `J-Recall`, `J-Decay`, `F-Mean`, `F-Recall`, `F-Decay`: means over all objects
    /// of every sequence (each object counts once, whatever its sequence's length).
    public var global: [(name: String, value: Double)] {
        func mean(_ pick: (DavisObjectResult) -> Double) -> Double {
            objects.isEmpty ? .nan : objects.map(pick).reduce(0, +) / Double(objects.count)
        }
        let jMean = mean { $0.j.mean }, fMean = mean { $0.f.mean }
        return [("J&F-Mean", (jMean + fMean) / 2), ("J-Mean", jMean), ("J-Recall", mean { $0.j.recall }),
                ("J-Decay", mean { $0.j.decay }), ("F-Mean", fMean), ("F-Recall", mean { $0.f.recall }),
                ("F-Decay", mean { $0.f.decay })]
    }

    public static func == (lhs: DavisReport, rhs: DavisReport) -> Bool { lhs.objects == rhs.objects }
}

/// The semi-supervised DAVIS 2017 evaluation (`davis2017/evaluation.py`, `DAVISEvaluation`), streaming one
/// frame at a time:
/// - objects are ids 1...max of the first annotation (void 255 counts as background everywhere);
/// - the first and last frames are not evaluated; result frames are `<results>/<seq>/<frame id>.png`;
/// - a result object id above the ground truth's count is an error; a missing object is all background;
/// - per frame and object J (`db_eval_iou`) and F (`f_measure`), then mean / recall / decay per object.
public struct DavisEvaluation: Sendable {
    public let dataset: DavisDataset

    public init(dataset: DavisDataset) {
        self.dataset = dataset
    }

    /// Evaluates every sequence of the dataset's set against the results folder.
    public func evaluate(resultsPath: String,
                         progress: (_ sequence: String) -> Void = { _ in }) throws(SegmentationError) -> DavisReport {
        var objects: [DavisObjectResult] = []
        for sequence in try dataset.sequences() {
            progress(sequence)
            objects += try evaluate(sequence: sequence, resultsPath: resultsPath)
        }
        return DavisReport(objects: objects)
    }

    /// One sequence's objects.
    public func evaluate(sequence: String, resultsPath: String) throws(SegmentationError) -> [DavisObjectResult] {
        let ids = try dataset.frameIDs(of: sequence)
        guard ids.count >= 3 else {
            throw SegmentationError(.badLayout,
                                    "\(dataset.annotationsPath)/\(sequence): \(ids.count) annotated frames; the evaluation skips the first and last, so it needs at least 3")
        }
        var score = DavisSequenceScore(sequence: sequence, firstAnnotation: try dataset.annotation(sequence, ids[0]))
        for frameID in ids[1..<(ids.count - 1)] {
            let truth = try dataset.annotation(sequence, frameID)
            let resultPath = "\(resultsPath)/\(sequence)/\(frameID).png"
            guard FileManager.default.fileExists(atPath: resultPath) else {
                throw SegmentationError(.badLayout, "\(resultPath): result frame not found (results are indexed PNGs named like the annotations)")
            }
            do {
                try score.add(truth: truth, result: try IndexedPNG.read(path: resultPath))
            } catch {
                throw SegmentationError(error.kind, "\(resultPath): \(error.message)")
            }
        }
        do {
            return try score.objects()
        } catch {
            throw SegmentationError(error.kind, "\(resultsPath)/\(sequence): \(error.message)")
        }
    }
}

/// One sequence's DAVIS scores, accumulated a frame at a time from masks in memory (the evaluation of
/// files above and the validation during training share it): the objects are ids 1...max of the first
/// annotation, void 255 counts as background, a result id above that count is an error.
public struct DavisSequenceScore: Sendable {
    public let sequence: String
    public let first: LabelMask
    public let objectCount: Int
    private var framesJ: [[Double]]
    private var framesF: [[Double]]
    private var largestResultID = 0

    public init(sequence: String, firstAnnotation: LabelMask) {
        self.sequence = sequence
        first = firstAnnotation
        objectCount = firstAnnotation.maxLabel()
        framesJ = [[Double]](repeating: [], count: objectCount)
        framesF = [[Double]](repeating: [], count: objectCount)
    }

    /// Scores one evaluated frame (the caller skips the first and last).
    public mutating func add(truth: LabelMask, result: LabelMask) throws(SegmentationError) {
        guard truth.width == first.width, truth.height == first.height else {
            throw SegmentationError(.mismatch, "annotation is \(truth.width)x\(truth.height), the first is \(first.width)x\(first.height)")
        }
        guard result.width == truth.width, result.height == truth.height else {
            throw SegmentationError(.mismatch, "result is \(result.width)x\(result.height), the annotation \(truth.width)x\(truth.height)")
        }
        var truth = truth
        largestResultID = max(largestResultID, result.maxLabel(excluding: nil))
        for i in truth.labels.indices where truth.labels[i] == 255 { truth.labels[i] = 0 }
        for object in 0..<objectCount {
            let id = UInt8(object + 1)
            let t = truth.binary(id), p = result.binary(id)
            framesJ[object].append(DavisMeasures.jaccard(t, p))
            framesF[object].append(DavisMeasures.boundaryF(t, p, width: truth.width, height: truth.height))
        }
    }

    /// Per-object statistics of the frames added.
    public func objects() throws(SegmentationError) -> [DavisObjectResult] {
        guard largestResultID <= objectCount else {
            throw SegmentationError(.mismatch, "results hold object id \(largestResultID) but the first annotation has \(objectCount) objects")
        }
        return (0..<objectCount).map { object in
            DavisObjectResult(sequence: sequence, objectID: object + 1, j: DavisStatistics(framesJ[object]),
                              f: DavisStatistics(framesF[object]), framesJ: framesJ[object], framesF: framesF[object])
        }
    }
}
