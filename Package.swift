// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Vidi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vidi", targets: ["vidi"]),
        .library(name: "VidiMedia", targets: ["VidiMedia"]),
        .library(name: "VidiTensor", targets: ["VidiTensor"]),
        .library(name: "VidiNN", targets: ["VidiNN"]),
        .library(name: "VidiPipeline", targets: ["VidiPipeline"]),
        .library(name: "VidiSegmentation", targets: ["VidiSegmentation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        // System libraries: FFmpeg (decode, demux, scale) and OpenBLAS (SGEMM).
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libswscale libavutil",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // Libraries, lowest layer first.
        .target(name: "VidiTensor", dependencies: ["COpenBLAS", "CZlib"]),
        .target(name: "VidiNN", dependencies: ["VidiTensor"]),
        .target(name: "VidiMedia", dependencies: ["CFFmpeg", "VidiTensor"]),
        .target(name: "VidiPipeline", dependencies: ["VidiMedia", "VidiTensor", .product(name: "Yams", package: "Yams")]),
        .target(name: "VidiSegmentation", dependencies: ["VidiNN", "VidiMedia", "VidiTensor", "CZlib"]),

        // The CLI: thin, parses arguments and calls the libraries.
        .executableTarget(
            name: "vidi",
            dependencies: [
                "VidiMedia", "VidiTensor", "VidiPipeline", "VidiNN", "VidiSegmentation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Test helpers shared by the test targets (fixture paths, tolerances, running ffprobe).
        .target(name: "VidiTestSupport", dependencies: ["VidiTensor"]),

        .testTarget(name: "VidiTensorTests", dependencies: ["VidiTensor", "VidiTestSupport"]),
        .testTarget(name: "VidiNNTests", dependencies: ["VidiNN", "VidiTensor", "VidiTestSupport"]),
        .testTarget(name: "VidiMediaTests", dependencies: ["VidiMedia", "VidiTensor", "VidiTestSupport"]),
        .testTarget(name: "VidiPipelineTests", dependencies: ["VidiPipeline", "VidiMedia", "VidiTestSupport"]),
        .testTarget(name: "VidiSegmentationTests",
                    dependencies: ["VidiSegmentation", "VidiNN", "VidiTensor", "VidiMedia", "VidiTestSupport"]),
        .testTarget(name: "VidiCLITests", dependencies: ["vidi", "VidiTestSupport", "VidiTensor"]),
    ]
)
