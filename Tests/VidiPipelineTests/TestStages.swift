import Foundation
import VidiPipeline
import VidiTensor

/// Test-only stages that need no decoder, so the runner's bookkeeping can be tested on its own.

/// Emits the file's first 16 bytes as a uint8 `.npy` and its size in the metadata; fails for files whose
/// name contains `fail_marker`, or that are empty.
struct FileHeadStage: PipelineStage {
    let name = "file_head"
    var output = "head"
    var failMarker: String?
    var outputs: [String] { ["\(output).npy"] }

    func process(_ video: VideoContext) throws {
        guard let data = FileManager.default.contents(atPath: video.path) else {
            throw PipelineError.stage(stage: name, message: "cannot read \(video.path)")
        }
        if let failMarker, video.path.contains(failMarker) {
            throw PipelineError.stage(stage: name, message: "injected failure")
        }
        guard !data.isEmpty else { throw PipelineError.stage(stage: name, message: "empty file") }
        let head = Array(data.prefix(16))
        try video.emit("\(output).npy", NPYFormat.encode(.init(descr: "|u1", shape: [head.count], data: head)))
        video.metadata["size"] = .int(data.count)
    }
}

/// A geometry-role stage, to test order checks.
struct GeometryStage: PipelineStage {
    let name = "test_geometry"
    var outputs: [String] { [] }
    var role: StageRole { .geometry }
    func process(_ video: VideoContext) throws {}
}

/// A frame-producing stage stand-in for order checks.
struct FrameMarkStage: PipelineStage {
    let name = "test_frames"
    var outputs: [String] { ["marks.npy"] }
    var role: StageRole { .frameProducer }
    func process(_ video: VideoContext) throws {}
}

extension StageCatalog {
    // A duplicate key here is a bug in the test itself.
    static let testing = try! StageCatalog.standard
        .adding("file_head") { parameters in
            try parameters.read { map in
                var stage = FileHeadStage()
                if let output = map?.optional("name") { stage.output = try output.string() }
                stage.failMarker = try map?.optional("fail_marker")?.string()
                return stage
            }
        }
        .adding("test_geometry") { parameters in try parameters.read { _ in GeometryStage() } }
        .adding("test_frames") { parameters in try parameters.read { _ in FrameMarkStage() } }
}

/// Writes `count` small distinct files `v000.mp4`... into `directory` (contents are not media: the test
/// stages only read bytes).
func makeFakeVideos(in directory: URL, count: Int, failing: Set<Int> = []) throws -> [String] {
    var paths: [String] = []
    for i in 0..<count {
        let name = failing.contains(i) ? String(format: "v%03d-fail.mp4", i) : String(format: "v%03d.mp4", i)
        let url = directory.appendingPathComponent(name)
        try Data((0..<(20 + i)).map { UInt8(truncatingIfNeeded: $0 * 7 + i) }).write(to: url)
        paths.append(url.path)
    }
    return paths
}

/// Every regular file under `directory` (relative path -> bytes), skipping the listed names.
func directoryContents(_ directory: URL, skipping: (String) -> Bool = { _ in false }) throws -> [String: Data] {
    var out: [String: Data] = [:]
    guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return out }
    while let item = enumerator.nextObject() as? String {
        var isDirectory: ObjCBool = false
        let full = directory.appendingPathComponent(item).path
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
        if skipping(item) { continue }
        out[item] = FileManager.default.contents(atPath: full)
    }
    return out
}
