import Foundation

/// One labelled temporal segment in seconds.
public struct LabeledSegment: Equatable, Sendable {
    public var start: Double
    public var end: Double
    public var label: String
    public init(start: Double, end: Double, label: String) { self.start = start; self.end = end; self.label = label }
}

/// One scored prediction in seconds.
public struct ScoredSegment: Equatable, Sendable {
    public var start: Double
    public var end: Double
    public var label: String
    public var score: Double
    public init(start: Double, end: Double, label: String, score: Double) {
        self.start = start; self.end = end; self.label = label; self.score = score
    }
}

/// An ActivityNet-style annotation file: `{"database": {id: {"subset", "duration", "annotations": [{"segment", "label"}]}}}`.
/// Videos keep file order (the evaluation's tie-breaking depends on it).
public struct GroundTruthFile: Sendable {
    public struct Video: Sendable, Equatable {
        public var id: String
        public var subset: String
        public var duration: Double?
        public var fps: Double?
        public var annotations: [LabeledSegment]
        public init(id: String, subset: String, duration: Double?, fps: Double? = nil, annotations: [LabeledSegment]) {
            self.id = id; self.subset = subset; self.duration = duration; self.fps = fps; self.annotations = annotations
        }
    }
    public var videos: [Video]
    public init(videos: [Video]) { self.videos = videos }

    /// The videos of one subset (`nil`: all), in file order.
    public func videos(inSubset subset: String?) -> [Video] {
        guard let subset else { return videos }
        return videos.filter { $0.subset == subset }
    }

    public static func read(path: String) throws(LocalizationError) -> GroundTruthFile {
        try decode(OrderedJSON.read(path: path), path: path)
    }

    public static func decode(_ json: OrderedJSON, path: String) throws(LocalizationError) -> GroundTruthFile {
        guard let database = json["database"]?.members else {
            throw .badFormat(path: path, where: "top level", reason: "no \"database\" object (ActivityNet layout: {\"database\": {video: {...}}})")
        }
        var videos: [Video] = []
        for (id, entry) in database {
            let at = "database.\(id)"
            guard entry.members != nil else { throw .badFormat(path: path, where: at, reason: "not an object") }
            guard let subset = entry["subset"]?.string else { throw .badFormat(path: path, where: at, reason: "no \"subset\" string") }
            var annotations: [LabeledSegment] = []
            if let list = entry["annotations"] {
                guard let items = list.array else { throw .badFormat(path: path, where: "\(at).annotations", reason: "not a list") }
                for (k, item) in items.enumerated() {
                    let (start, end) = try segment(item["segment"], path: path, at: "\(at).annotations[\(k)]")
                    guard let label = labelText(item["label"]) else {
                        throw .badFormat(path: path, where: "\(at).annotations[\(k)]", reason: "no \"label\" string")
                    }
                    annotations.append(LabeledSegment(start: start, end: end, label: label))
                }
            }
            videos.append(Video(id: id, subset: subset, duration: entry["duration"]?.number, fps: entry["fps"]?.number,
                                annotations: annotations))
        }
        return GroundTruthFile(videos: videos)
    }

    /// Writes the ActivityNet layout (videos and annotations in order).
    public func write(to path: String) throws(LocalizationError) {
        var database: [(key: String, value: OrderedJSON)] = []
        for video in videos {
            var entry: [(key: String, value: OrderedJSON)] = [("subset", .string(video.subset))]
            if let duration = video.duration { entry.append(("duration", .number(duration))) }
            if let fps = video.fps { entry.append(("fps", .number(fps))) }
            entry.append(("annotations", .array(video.annotations.map {
                .object([("segment", .array([.number($0.start), .number($0.end)])), ("label", .string($0.label))])
            })))
            database.append((video.id, .object(entry)))
        }
        try JSONWriting.write(.object([("version", .string("vidi-synthetic")), ("taxonomy", .array([])), ("database", .object(database))]), to: path)
    }
}

/// An ActivityNet-style prediction file: `{"results": {id: [{"label", "score", "segment": [s, e]}]}}`, in file order.
public struct PredictionFile: Sendable {
    public var videos: [(id: String, predictions: [ScoredSegment])]
    public init(videos: [(id: String, predictions: [ScoredSegment])]) { self.videos = videos }

    public static func read(path: String) throws(LocalizationError) -> PredictionFile {
        try decode(OrderedJSON.read(path: path), path: path)
    }

    /// Decodes predictions; `requireLabel: false` reads proposal files, whose entries have no label.
    public static func decode(_ json: OrderedJSON, path: String, requireLabel: Bool = true) throws(LocalizationError) -> PredictionFile {
        guard let results = json["results"]?.members else {
            throw .badFormat(path: path, where: "top level", reason: "no \"results\" object (ActivityNet layout: {\"results\": {video: [...]}})")
        }
        var videos: [(id: String, predictions: [ScoredSegment])] = []
        for (id, list) in results {
            guard let items = list.array else { throw .badFormat(path: path, where: "results.\(id)", reason: "not a list") }
            var predictions: [ScoredSegment] = []
            for (k, item) in items.enumerated() {
                let at = "results.\(id)[\(k)]"
                let (start, end) = try segment(item["segment"], path: path, at: at)
                guard let score = item["score"]?.number else { throw .badFormat(path: path, where: at, reason: "no numeric \"score\"") }
                let label = labelText(item["label"])
                if requireLabel && label == nil { throw .badFormat(path: path, where: at, reason: "no \"label\" string") }
                predictions.append(ScoredSegment(start: start, end: end, label: label ?? "", score: score))
            }
            videos.append((id, predictions))
        }
        return PredictionFile(videos: videos)
    }

    public func write(to path: String) throws(LocalizationError) {
        try JSONWriting.write(json, to: path)
    }

    /// The file's bytes (compact JSON and a newline, numbers that read back exactly), as `write` writes them.
    public func encoded() -> [UInt8] {
        Array((JSONWriting.string(json) + "\n").utf8)
    }

    /// `{"version", "results": {id: [{"label", "score", "segment"}]}, "external_data"}`, videos in order.
    var json: OrderedJSON {
        let results: [(key: String, value: OrderedJSON)] = videos.map { video in
            (video.id, .array(video.predictions.map {
                .object([("label", .string($0.label)), ("score", .number($0.score)), ("segment", .array([.number($0.start), .number($0.end)]))])
            }))
        }
        return .object([("version", .string("VERSION 1.3")), ("results", .object(results)), ("external_data", .object([]))])
    }
}

/// A label may be a string, or a number in files that store class ids.
private func labelText(_ value: OrderedJSON?) -> String? {
    switch value {
    case .string(let s)?: return s
    case .number(let x)? where x == x.rounded() && abs(x) < 1e15: return String(Int(x))
    default: return nil
    }
}

private func segment(_ value: OrderedJSON?, path: String, at: String) throws(LocalizationError) -> (Double, Double) {
    guard let items = value?.array, items.count >= 2, let s = items[0].number, let e = items[1].number else {
        throw .badFormat(path: path, where: at, reason: "\"segment\" must be a list [start, end] of numbers")
    }
    return (s, e)
}
