import Foundation
import VidiFormats
import VidiMedia
import VidiTestSupport

/// The goldens of `Tools/make_model_input_goldens.py` (torchvision/PIL preprocessing of the ffmpeg CLI's
/// RGB; colour from the raw YUV planes with numpy) and the statistics the tests compare with.
enum ModelInputGoldens {
    static func array(_ file: String, _ name: String) throws -> NPYFormat.Array {
        try NPZFile(path: Fixtures.path("golden/model-input/\(file).npz")).array(named: name)
    }

    static func floats(_ array: NPYFormat.Array) -> [Float] {
        precondition(array.descr == "<f4")
        return array.data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// Differences in 8-bit levels: |a - b| per value, with mean, 99th percentile and maximum.
    struct LevelDifference: CustomStringConvertible {
        var mean: Double, p99: Double, max: Double
        var description: String { String(format: "mean %.3f, p99 %.2f, max %.2f levels", mean, p99, max) }

        init(_ a: [Double], _ b: [Double]) {
            precondition(a.count == b.count && !a.isEmpty)
            var d = zip(a, b).map { abs($0 - $1) }
            mean = d.reduce(0, +) / Double(d.count)
            d.sort()
            p99 = d[min(d.count - 1, Int(Double(d.count) * 0.99))]
            max = d.last ?? 0
        }
    }

    /// Float model input back to 8-bit levels: (x * std + mean) * 255, with the channel found from the
    /// layout's channel axis.
    static func levels(_ values: [Float], shape: [Int], channelAxis: Int, _ norm: ModelInputRequest.Normalization) -> [Double] {
        let inner = shape[(channelAxis + 1)...].reduce(1, *)
        return values.enumerated().map { i, x in
            let c = (i / inner) % 3
            return (Double(x) * Double(norm.std[c]) + Double(norm.mean[c])) * 255
        }
    }
}
