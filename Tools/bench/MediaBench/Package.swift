// swift-tools-version: 6.1
// Release-build benchmark for VidiMedia, kept out of the main package so `swift test` never builds it.
// Run: Tools/bench/media-library-bench.sh (makes the inputs, runs this and the Python peers on the same files).
import PackageDescription

let package = Package(
    name: "MediaBench",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Vidi", path: "../../..")],
    targets: [
        .executableTarget(name: "ModelInputBench", dependencies: [.product(name: "VidiMedia", package: "Vidi"),
                                                                 .product(name: "VidiMediaTensors", package: "Vidi"),
                                                                 .product(name: "VidiTensor", package: "Vidi")]),
        .executableTarget(name: "MediaBench", dependencies: [.product(name: "VidiMedia", package: "Vidi"), .product(name: "VidiRandom", package: "Vidi")]),
    ]
)
