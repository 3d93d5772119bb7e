import Testing
import VidiMedia
import VidiMediaTensors
import VidiTensor

/// Shapes, crops, clip layouts and argument errors of `ModelInputRequest`, checked against invariants
/// (a crop is a slice of the uncropped output; layouts are permutations of one another) and against
/// torchvision's size rules written out by hand.
@Suite struct ModelInputPlanTests {
    let path = media("h264-bframes-opengop.mp4")  // 320x240, 75 frames

    @Test func sizesFollowTorchvisionRules() throws {
        let reader = try VideoReader(path: path)
        // Resize(100) on 320x240: short 100, long int(100 * 320 / 240) = 133 (truncated, not 133.33 rounded).
        let plan = try reader.modelInputPlan(ModelInputRequest(frames: .uniform(count: 2), resize: .shorterSide(100)))
        #expect(plan.resizedWidth == 133 && plan.resizedHeight == 100 && plan.shape == [2, 3, 100, 133])
        // Resize(50) on 320x240: int(50 * 320 / 240) = int(66.67) = 66.
        let small = try reader.modelInputPlan(ModelInputRequest(frames: .uniform(count: 1), resize: .shorterSide(50)))
        #expect(small.resizedWidth == 66)
        // CenterCrop((7, 37)) of 66x50: top = round(43 / 2) = round(21.5) = 22, left = round(29 / 2) = round(14.5) = 14
        // (Python's round: halves to even).
        let crop = try reader.modelInputPlan(ModelInputRequest(frames: .uniform(count: 1), resize: .shorterSide(50),
                                                               crop: .center(width: 37, height: 7)))
        #expect(crop.cropTops == [22] && crop.cropLefts == [14])
        let rotated = try VideoReader(path: media("rotated-90.mp4")).modelInputPlan(
            ModelInputRequest(frames: .uniform(count: 1), resize: .shorterSide(120)))
        #expect(rotated.resizedWidth == 120 && rotated.resizedHeight == 160)
    }

    @Test func layoutsArePermutationsOfOneAnother() throws {
        let reader = try VideoReader(path: path)
        func input(_ layout: ModelInputRequest.Layout) throws -> ModelInput {
            try reader.modelInput(ModelInputRequest(frames: .randomClips(count: 2, length: 3, stride: 2, seed: 5),
                                                    resize: .fixed(width: 20, height: 16), layout: layout, normalization: .imageNet))
        }
        let chw = try input(.chw), tchw = try input(.tchw), cthw = try input(.cthw), hwc = try input(.hwcBytes)
        #expect(chw.shape == [6, 3, 16, 20] && tchw.shape == [2, 3, 3, 16, 20] && cthw.shape == [2, 3, 3, 16, 20])
        #expect(hwc.shape == [6, 16, 20, 3])
        #expect(chw.floats == tchw.floats)  // [C*T, 3, H, W] and [C, T, 3, H, W] share memory order
        let plane = 16 * 20
        let a = try #require(chw.floats), b = try #require(cthw.floats), bytes = try #require(hwc.bytes)
        let norm = ModelInputRequest.Normalization.imageNet
        for clip in 0..<2 { for t in 0..<3 { for ch in 0..<3 { for p in stride(from: 0, to: plane, by: 37) {
            let x = a[((clip * 3 + t) * 3 + ch) * plane + p]
            #expect(x == b[((clip * 3 + ch) * 3 + t) * plane + p])
            let byte = bytes[((clip * 3 + t) * plane + p) * 3 + ch]
            #expect(x == (Float(byte) / 255 - norm.mean[ch]) / norm.std[ch])
        } } } }
        #expect(chw.clips == (try FrameSampler.randomClips(count: 2, length: 3, stride: 2, seed: 5).clips(for: reader.info)))
    }

    @Test func randomCropIsASliceOfTheUncroppedPicturePerClip() throws {
        let reader = try VideoReader(path: path)
        let frames = FrameSampler.randomClips(count: 3, length: 2, stride: 4, seed: 11)
        let full = try reader.modelInput(ModelInputRequest(frames: frames, resize: .shorterSide(48), layout: .hwcBytes))
        let request = ModelInputRequest(frames: frames, resize: .shorterSide(48), crop: .random(width: 24, height: 20, seed: 3), layout: .hwcBytes)
        let cropped = try reader.modelInput(request)
        #expect(try reader.modelInput(request) == cropped)  // same seed, same bytes
        let (W, H) = (64, 48)
        let f = try #require(full.bytes), c = try #require(cropped.bytes)
        for (clip, origin) in cropped.cropOrigins.enumerated() {
            #expect(origin.top >= 0 && origin.top <= H - 20 && origin.left >= 0 && origin.left <= W - 24)
            for t in 0..<2 {
                let n = clip * 2 + t
                for y in 0..<20 {
                    let row = Array(c[((n * 20 + y) * 24) * 3 ..< ((n * 20 + y) * 24 + 24) * 3])
                    let start = ((n * H + y + origin.top) * W + origin.left) * 3
                    #expect(row == Array(f[start ..< start + 24 * 3]))
                }
            }
        }
        #expect(Set(cropped.cropOrigins.map { "\($0.top),\($0.left)" }).count > 1)
    }

    @Test func tensorIsFilledInPlaceWithTheSameValues() throws {
        let reader = try VideoReader(path: path)
        let request = ModelInputRequest(frames: .uniform(count: 3), resize: .shorterSide(32), crop: .center(width: 32, height: 32),
                                        layout: .cthw, normalization: .clip)
        let tensor = try reader.modelInputTensor(request)
        let values = try reader.modelInput(request)
        #expect(tensor.shape == [1, 3, 3, 32, 32])
        #expect(try tensor.toArray(Float.self) == values.floats)
        #expect(throws: MediaError.self) { try reader.modelInputTensor(ModelInputRequest(frames: .uniform(count: 1), layout: .hwcBytes)) }
    }

    @Test func explicitClipsAreTakenAsGiven() throws {
        let reader = try VideoReader(path: path)
        let clips = [[3, 1, 2], [74, 0, 74]]
        let input = try reader.modelInput(ModelInputRequest(frames: .clips(clips), resize: .fixed(width: 8, height: 6), layout: .tchw))
        #expect(input.shape == [2, 3, 3, 6, 8] && input.clips == clips)
        // Frame 74 fills clip 1's slots t = 0 and t = 2 (frames 3 and 5 of the [6, 3, 6, 8] batch) alike.
        let v = try #require(input.floats), frame = 3 * 6 * 8
        #expect(Array(v[3 * frame ..< 4 * frame]) == Array(v[5 * frame ..< 6 * frame]))
        #expect(Array(v[3 * frame ..< 4 * frame]) != Array(v[4 * frame ..< 5 * frame]))
        #expect(throws: MediaError.self) { try reader.modelInput(ModelInputRequest(frames: .clips([[0, 75]]))) }
        #expect(throws: MediaError.self) { try reader.modelInput(ModelInputRequest(frames: .clips([[0, 1], [2]]))) }
        #expect(throws: MediaError.self) { try reader.modelInput(ModelInputRequest(frames: .clips([]))) }
    }

    @Test func badRequestsAreTypedErrors() throws {
        let reader = try VideoReader(path: path)
        let bad: [ModelInputRequest] = [
            ModelInputRequest(frames: .uniform(count: 1), resize: .shorterSide(0)),
            ModelInputRequest(frames: .uniform(count: 1), resize: .fixed(width: -1, height: 5)),
            ModelInputRequest(frames: .uniform(count: 1), resize: .shorterSide(32), crop: .center(width: 64, height: 64)),
            ModelInputRequest(frames: .uniform(count: 1), normalization: .init(mean: [0, 0], std: [1, 1])),
            ModelInputRequest(frames: .uniform(count: 1), normalization: .init(mean: [0, 0, 0], std: [1, 0, 1])),
            ModelInputRequest(frames: .uniform(count: 0)),
            ModelInputRequest(frames: .randomClips(count: 1, length: 80, stride: 1, seed: 0)),
            ModelInputRequest(frames: .uniform(count: 100_000), resize: .fixed(width: 16384, height: 16384)),
        ]
        for request in bad {
            #expect(throws: MediaError.self) { try reader.modelInput(request) }
        }
        let plan = try reader.modelInputPlan(ModelInputRequest(frames: .uniform(count: 1)))
        var small = [Float](repeating: 0, count: 4)
        #expect(throws: MediaError.self) {
            try small.withUnsafeMutableBytes { try reader.fillModelInput(plan, into: $0) }
        }
    }
}
