// swift-tools-version: 6.1
// Benchmarks for tensor I/O, sorting and optimizer steps (release build, kept out of `swift test`).
// Run: Tools/bench/tensor-io/run.sh   (builds, runs this harness and the Python peers, prints ratios)
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder (the checkout's name varies), so derive it.
let vidiRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

let package = Package(
    name: "TensorIOBench",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "../../..")],
    targets: [
        .executableTarget(name: "TensorIOBench", dependencies: [.product(name: "VidiTensor", package: vidiRoot.lastPathComponent)]),
    ]
)
