import Foundation
import VidiMedia
import VidiRandom

// Times VidiMedia's main paths on one file; prints one line per measurement: frames per second of
// process CPU time (robust when other jobs share the cores) and of wall time.
// Usage: MediaBench FILE [THREADS]

func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// (CPU seconds, wall seconds) spent in `body`.
func seconds(_ body: () throws -> Void) rethrows -> (cpu: Double, wall: Double) {
    let start = ContinuousClock.now, cpuStart = cpuSeconds()
    try body()
    let elapsed = ContinuousClock.now - start
    return (cpuSeconds() - cpuStart, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
}

/// MEDIABENCH_ONLY=prefix limits the run to measurements whose name starts with it (for profiling).
let only = ProcessInfo.processInfo.environment["MEDIABENCH_ONLY"]

func measure(_ name: String, frames: Int, _ body: () throws -> Void) rethrows {
    if let only, !name.hasPrefix(only) { return }
    report(name, frames: frames, try seconds(body))
}

func report(_ name: String, frames: Int, _ time: (cpu: Double, wall: Double)) {
    let label = name.padding(toLength: 36, withPad: " ", startingAt: 0)
    print(label + String(format: " %6d frames  cpu %7.3f s %9.1f fps   wall %7.3f s %9.1f fps", frames,
                         time.cpu, Double(frames) / time.cpu, time.wall, Double(frames) / time.wall))
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write("usage: MediaBench FILE [THREADS]\n".data(using: .utf8) ?? Data())
    exit(2)
}
let path = arguments[1]
let threads = arguments.count > 2 ? Int(arguments[2]) ?? 1 : 1
let options = ReaderOptions(threads: threads)

do {
    var reader: VideoReader?
    let openTime = try seconds { reader = try VideoReader(path: path, options: options) }  // includes the index scan
    guard let reader else { exit(1) }
    let n = reader.info.frameCount
    print("file \(path): \(reader.info.codec) \(reader.info.width)x\(reader.info.height), \(n) frames, threads \(threads)")
    report("open + packet index", frames: n, openTime)

    var count = 0
    try measure("decode only", frames: n) { try reader.forEachFrame(nil) { _ in count += 1 } }
    try measure("decode + motion vectors", frames: n) { try reader.forEachFrame(nil, motion: true) { _ in } }
    try measure("decode + RGB", frames: n) { try reader.forEachFrame(FrameOutput()) { _ in } }
    try measure("decode + RGB shorter side 224", frames: n) { try reader.forEachFrame(FrameOutput(size: .shorterSide(224))) { _ in } }
    try measure("decode + RGB 224 bilinear", frames: n) {
        try reader.forEachFrame(FrameOutput(size: .shorterSide(224), interpolation: .bilinear)) { _ in }
    }
    try measure("decode + planar float 224", frames: n) {
        try reader.forEachFrame(FrameOutput(size: .shorterSide(224), layout: .planarFloat)) { _ in }
    }
    let keyframes = reader.info.keyframeIndices.count
    try measure("keyframes only (RGB)", frames: keyframes) { _ = try reader.keyframes() }

    var generator = SplitMix64(seed: 1)
    let random = (0..<100).map { _ in generator.nextIndex(below: n) }
    try measure("frame(at:) x100 random, one by one", frames: 100) { for i in random { _ = try reader.frame(at: i) } }
    try measure("frames(at:) 100 random, batched", frames: 100) { _ = try reader.frames(at: random) }
    let uniform = try FrameSampler.uniform(count: 16).indices(for: reader.info)
    try measure("frames(at:) uniform 16", frames: 16) { _ = try VideoReader(path: path, options: options).frames(at: uniform) }
} catch {
    FileHandle.standardError.write("\(error)\n".data(using: .utf8) ?? Data())
    exit(1)
}
