import Foundation
import VidiMedia
import VidiMediaTensors
import VidiTensor

// Model-input workloads for Tools/bench/model_input_bench.py; prints one JSON line per round:
// {"frames": N, "cpu": process CPU seconds, "wall": seconds}.
// Usage: ModelInputBench FILE WORKLOAD THREADS ROUNDS
//   clips112: every frame, in consecutive 16-frame clips, Resize(128) -> CenterCrop(112) -> ImageNet
//             normalisation -> [C, 3, 16, 112, 112] float32
//   clip224:  every frame, Resize(224) -> CenterCrop(224) -> CLIP normalisation -> [N, 3, 224, 224]
//   clips112-tensor, clip224-tensor: the same into a VidiTensor (`modelInputTensor`), whose storage comes
//             from the tensor allocator's cache: a later round (the next video) reuses the block, no fresh pages
//   rgb:      every frame at full size, RGB24 (forEachFrame)
//   digest:   clips112 and its bytes twin (.hwcBytes), printed as FNV-1a digests of the output: a build
//             A/B checks that a change kept the values bit for bit (not a timing workload)
//   open:     VideoReader(path:) alone (stream info and the packet-index scan)
//   keyframes: every keyframe to full-size RGB24 on the model-input path (what `vidi keyframes` does:
//              no index scan at open, one pass that decodes only the keyframes)
//   keyframes-indexed: the same after an open that builds the packet index (each keyframe reached by a seek)

func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

// OpenBLAS (linked through VidiTensor) starts a worker thread at load that spins for ~0.1 s of CPU: end it
// first, as `vidi` does, so a run by hand measures the workload alone.
BLAS.stopIdleThreads()

let arguments = CommandLine.arguments
guard arguments.count >= 5, let threads = Int(arguments[3]), let rounds = Int(arguments[4]) else {
    FileHandle.standardError.write("usage: ModelInputBench FILE clips112[-tensor]|clip224[-tensor]|rgb|keyframes|keyframes-indexed|open THREADS ROUNDS\n".data(using: .utf8) ?? Data())
    exit(2)
}
let path = arguments[1], workload = arguments[2]
do {
    for _ in 0..<rounds {
        let start = ContinuousClock.now, cpuStart = cpuSeconds()
        let reader = try VideoReader(path: path, options: ReaderOptions(threads: threads, indexAtOpen: workload != "keyframes"))
        var n: Int { reader.info.frameCount }
        var frames = 0
        switch workload {
        case "clips112", "clips112-tensor":
            let clips = (0..<(n / 16)).map { c in Array((c * 16)..<(c * 16 + 16)) }
            let request = ModelInputRequest(frames: .clips(clips), resize: .shorterSide(128), crop: .center(width: 112, height: 112),
                                            layout: .cthw, filter: .bilinear, normalization: .imageNet)
            let shape = workload == "clips112" ? try reader.modelInput(request).shape : try reader.modelInputTensor(request).shape
            frames = shape[0] * shape[2]
        case "clip224", "clip224-tensor":
            let request = ModelInputRequest(frames: .every(step: 1), resize: .shorterSide(224), crop: .center(width: 224, height: 224),
                                            layout: .chw, filter: .bilinear, normalization: .clip)
            frames = workload == "clip224" ? try reader.modelInput(request).shape[0] : try reader.modelInputTensor(request).shape[0]
        case "rgb":
            try reader.forEachFrame(FrameOutput()) { _ in frames += 1 }
        case "keyframes", "keyframes-indexed":
            try reader.forEachModelInputFrame(ModelInputRequest(frames: .keyframes, layout: .hwcBytes)) { _ in frames += 1 }
        case "digest":
            let clips = (0..<(n / 16)).map { c in Array((c * 16)..<(c * 16 + 16)) }
            for layout in [ModelInputRequest.Layout.cthw, .hwcBytes] {
                let input = try reader.modelInput(ModelInputRequest(frames: .clips(clips), resize: .shorterSide(128),
                                                                   crop: .center(width: 112, height: 112), layout: layout,
                                                                   filter: .bilinear, normalization: .imageNet))
                var digest: UInt64 = 0xcbf29ce484222325
                func mix(_ raw: UnsafeRawBufferPointer) { for byte in raw { digest = (digest ^ UInt64(byte)) &* 0x100000001b3 } }
                if let floats = input.floats { floats.withUnsafeBytes(mix) } else if let bytes = input.bytes { bytes.withUnsafeBytes(mix) }
                print("digest \(layout) \(String(digest, radix: 16))")
            }
            frames = n
        case "open":  // opening alone (stream info + packet-index scan): what every workload pays first
            frames = n
        default:
            FileHandle.standardError.write("unknown workload \(workload)\n".data(using: .utf8) ?? Data())
            exit(2)
        }
        let elapsed = ContinuousClock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print(String(format: "{\"frames\": %d, \"cpu\": %.4f, \"wall\": %.4f}", frames, cpuSeconds() - cpuStart, wall))
    }
} catch {
    FileHandle.standardError.write("\(error)\n".data(using: .utf8) ?? Data())
    exit(1)
}
