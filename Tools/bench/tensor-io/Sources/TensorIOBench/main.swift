import Foundation
import VidiTensor

/// Prints one JSON object of timings (seconds, best of `repeats`) for the operations peers.py also times.
/// Usage: TensorIOBench <work directory> [sort]   ("sort" times only sorting and top-k)
let directory = CommandLine.arguments.dropFirst().first ?? NSTemporaryDirectory()
let onlySort = CommandLine.arguments.dropFirst(2).first == "sort"
let repeats = 5

func best(_ body: () throws -> Void) rethrows -> Double {
    var fastest = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return fastest
}

/// ResNet-50-like checkpoint: 161 float32 tensors, about 100 MB, seeded values.
func checkpoint() -> [String: Tensor] {
    var generator = RandomGenerator(seed: 1)
    var tensors: [String: Tensor] = [:]
    let shapes: [[Int]] = [[64, 3, 7, 7]] + Array(repeating: [256, 64, 3, 3], count: 40) + Array(repeating: [512, 512], count: 60)
        + Array(repeating: [1024], count: 60)
    for (index, shape) in shapes.enumerated() {
        tensors["layer\(index).weight"] = Tensor.uniform(shape, generator: &generator)
    }
    return tensors
}

var results: [String: Double] = [:]
if !onlySort {
let tensors = checkpoint()
let path = directory + "/bench.safetensors"
results["safetensors_write_s"] = try best { try Safetensors.write(tensors, to: path) }
results["safetensors_bytes"] = Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
results["safetensors_open_all_s"] = try best { _ = try SafetensorsFile(path: path).tensors() }
var checksum = 0.0
results["safetensors_open_sum_s"] = try best {
    var total = 0.0
    for tensor in try SafetensorsFile(path: path).tensors().values {
        try tensor.withUnsafeBufferPointer { for v in $0 { total += Double(v) } }
    }
    checksum = total
}
results["checksum"] = checksum
}

// Sorting: 1000 rows of 1000 floats along the last axis, and top-10 of each row.
var generator = RandomGenerator(seed: 2)
let matrix = Tensor.normal([1000, 1000], generator: &generator)
results["sort_1000x1000_s"] = try best { _ = try matrix.sort(axis: -1) }
results["topk10_1000x1000_s"] = try best { _ = try matrix.topK(10, axis: -1) }
try matrix.writeNPY(to: directory + "/matrix.npy")
results["topk10_last_axis_of_1000x1000_transposed_s"] = try best { _ = try matrix.transposed().topK(10, axis: -1) }
if onlySort {
    print(results)
    exit(0)
}

// One Adam step over 25.6M parameters (ResNet-50 size), gradients already accumulated.
let parameter = Parameter(Tensor.normal([25_600_000], generator: &generator))
try (parameter.value * Tensor.normal([25_600_000], generator: &generator)).sum().backward()
let adam = try Adam([parameter], learningRate: 1e-3)
results["adam_step_25.6M_s"] = try best { try adam.step() }
let sgd = try SGD([parameter], learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4)
results["sgd_momentum_step_25.6M_s"] = try best { try sgd.step() }

let json = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
