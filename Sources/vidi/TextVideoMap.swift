import Foundation
import VidiFormats
import VidiRetrieval
import VidiTensor

/// `--text-video-map`: the video index of every text, from an integer `.npy`, a JSON array of integers,
/// or MSR-VTT JSON (every sentence, grouped in the order of its `videos` list).
enum TextVideoMap {
    static func read(path: String) throws -> [Int] {
        if path.hasSuffix(".npy") {
            let t = try Tensor.readNPY(path: path)
            guard t.rank == 1 else { throw RetrievalError.shape("\(path): the map must be 1-d [texts], got \(t.shape)") }
            let values = t.scalars.map(Double.init)   // exact for indices below 2^24
            guard values.allSatisfy({ $0 >= 0 && $0 == $0.rounded() }) else {
                throw RetrievalError.invalidArgument("\(path): video indices must be non-negative integers")
            }
            return values.map { Int($0) }
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw RetrievalError.invalidArgument("cannot read \(path)") }
        if let list = try? JSONDecoder().decode([Int].self, from: data) { return list }
        do {
            return MultiCaptionMetrics.captionList(try CaptionedVideos(path: path)).videoOfText
        } catch {
            throw RetrievalError.invalidArgument("\(path) is neither an integer .npy, a JSON array of video indices, nor MSR-VTT JSON")
        }
    }
}
