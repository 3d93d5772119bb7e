import Foundation
import Testing
import VidiMedia
import VidiTensor
import VidiTestSupport
@testable import VidiTraining

/// Shards written by Python's `webdataset.TarWriter` and what Python reads back from them
/// (Tools/goldens/make_training_fixtures.py: numpy for .npy, json, int() for .cls, PIL for images).
@Suite struct WebDatasetGoldenTests {
    @Test func readsWebDatasetPackageShardsAsPythonDoes() throws {
        let expected = try ShardFixtures.expected()["shards"] as? [String: [[String: Any]]] ?? [:]
        for shard in ["wds-0.tar", "wds-1.tar"] {
            var options = WebDatasetOptions(shards: [ShardFixtures.golden(shard)], batchSize: 1)
            options.epochs = 1
            let loader = try WebDatasetLoader(options)
            var index = 0
            let samples = try #require(expected[shard])
            while let batch = try loader.nextBatch() {
                let want = samples[index]
                #expect(batch.keys == [want["__key__"] as? String ?? ""])
                for (name, value) in want where name != "__key__" {
                    guard let got = batch.values(name).first else { Issue.record("\(shard) \(batch.keys) lacks \(name)"); continue }
                    try Self.check(got, against: value, "\(shard) \(batch.keys[0]).\(name)")
                }
                index += 1
            }
            #expect(index == samples.count, "\(shard): read \(index) of \(samples.count) samples")
        }
    }

    static func check(_ got: SampleValue, against want: Any, _ label: String) throws {
        switch got {
        case .tensor(let tensor):
            let info = try #require(want as? [String: Any])
            // Vidi's npy mapping: uint8 widens to int32, float32 and int64 stay.
            let dtype: [String: DType] = ["float32": .float32, "uint8": .int32, "int64": .int64]
            #expect(tensor.dtype == dtype[info["dtype"] as? String ?? ""], "\(label) dtype")
            #expect(tensor.shape == info["shape"] as? [Int], "\(label) shape")
            let sum = tensor.scalars.reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum - (info["sum"] as? Double ?? .nan)) < 1e-4, "\(label) sum")
            #expect(Array(tensor.scalars.prefix(4)) == (info["first"] as? [Double] ?? []).map(Float.init), "\(label) values")
        case .json(let value):
            let data = try JSONSerialization.data(withJSONObject: want, options: [.fragmentsAllowed])
            #expect(value == (try JSONValue.parse(Array(data))), "\(label)")
        case .label(let value):
            #expect(value == want as? Int, "\(label)")
        case .text(let text):
            #expect(text == want as? String, "\(label)")
        case .image(let image):
            let info = try #require(want as? [String: Any])
            #expect(image.width == info["width"] as? Int && image.height == info["height"] as? Int, "\(label) size")
            let sum = image.rgb.reduce(0) { $0 + Int($1) }
            if let pixels = info["pixels"] as? [Int] {
                // PNG is lossless: PIL's pixels exactly.
                #expect(image.rgb.map(Int.init) == pixels, "\(label) pixels")
            } else {
                // JPEG: FFmpeg's decoder + swscale against libjpeg (PIL) differ in IDCT rounding and chroma
                // upsampling, most on these random-noise images; the means must agree within two levels.
                let want = try #require(info["sum"] as? Int)
                #expect(abs(sum - want) <= 2 * image.rgb.count, "\(label) pixel sum \(sum) vs PIL \(want)")
            }
        case .bytes(let bytes):
            Issue.record("\(label): undecoded (\(bytes.count) bytes)")
        }
    }

    /// Reference: torch.optim.lr_scheduler.StepLR(step_size=3, gamma=0.5) from lr 0.1 (expected.json).
    @Test func stepScheduleMatchesPyTorchStepLR() throws {
        let golden = try #require(try ShardFixtures.expected()["step_lr"] as? [String: Any])
        let rates = try #require(golden["rates"] as? [Double])
        let schedule = try LearningRateSchedule(base: 0.1, kind: .step(every: 3, gamma: 0.5))
        for (step, rate) in rates.enumerated() {
            #expect(schedule.learningRate(at: step) == Float(rate), "step \(step)")
        }
    }

    /// Reference: VidiTensor's CosineWarmupSchedule (itself checked against PyTorch's SequentialLR goldens).
    @Test func cosineScheduleIsVidiTensorsCosineWarmup() throws {
        let schedule = try LearningRateSchedule(base: 0.01, kind: .cosine(totalSteps: 20, minimum: 0.001), warmupSteps: 5)
        let reference = try CosineWarmupSchedule(baseLearningRate: 0.01, warmupSteps: 5, totalSteps: 20, minimumLearningRate: 0.001)
        for step in 0..<25 { #expect(schedule.learningRate(at: step) == reference.learningRate(at: step)) }
        // Linear warm-up from 0 before a step decay: PyTorch LinearLR(start_factor=0) ramps base * t / warmup.
        let warm = try LearningRateSchedule(base: 1, kind: .step(every: 2, gamma: 0.1), warmupSteps: 4)
        #expect((0..<8).map { warm.learningRate(at: $0) } == [0, 0.25, 0.5, 0.75, 1, 1, Float(0.1), Float(0.1)])
    }

    /// Reference: the pixels given to FFmpeg's PNG encoder (lossless round trip through VidiMedia).
    @Test func imageDecoderRoundTripsPNGAndRejectsGarbage() throws {
        let pixels = (0..<(5 * 7 * 3)).map { UInt8(truncatingIfNeeded: $0 * 37) }
        let png = try ImageWriter.png.encode(rgb: pixels, width: 7, height: 5)
        #expect(try ImageDecoder.decodeRGB(png) == DecodedImage(width: 7, height: 5, rgb: pixels))
        #expect(throws: MediaError.self) { try ImageDecoder.decodeRGB(Array(png.prefix(40))) }
        #expect(throws: MediaError.self) { try ImageDecoder.decodeRGB([1, 2, 3]) }
    }
}
