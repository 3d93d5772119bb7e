// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Vidi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vidi", targets: ["vidi"]),
        .library(name: "VidiRandom", targets: ["VidiRandom"]),
        .library(name: "VidiFormats", targets: ["VidiFormats"]),
        .library(name: "VidiMedia", targets: ["VidiMedia"]),
        .library(name: "VidiMediaTensors", targets: ["VidiMediaTensors"]),
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

        // Libraries, lowest layer first. The leaves (seeded random generators; npy/npz/safetensors/tar
        // and durable file writes) link no FFmpeg or OpenBLAS.
        .target(name: "VidiRandom"),
        .target(name: "VidiFormats", dependencies: ["CZlib"]),
        .target(name: "VidiTensor", dependencies: ["COpenBLAS", "VidiFormats", "VidiRandom"]),
        .target(name: "VidiNN", dependencies: ["VidiTensor"]),
        .target(name: "VidiMedia", dependencies: ["CFFmpeg", "VidiFormats", "VidiRandom"]),
        // Frames, motion vectors and motion maps as tensors: the bridge models use.
        .target(name: "VidiMediaTensors", dependencies: ["VidiMedia", "VidiTensor"]),
        .target(name: "VidiPipeline", dependencies: ["VidiMedia", "VidiFormats", .product(name: "Yams", package: "Yams")]),
        // Memory-bank video object segmentation (STCN / RDE / LCM), DAVIS I/O and measures.
        .target(name: "VidiSegmentation",
                dependencies: ["VidiNN", "VidiMedia", "VidiMediaTensors", "VidiTensor", "VidiRandom", "VidiFormats", "CZlib"]),

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

        .testTarget(name: "VidiTensorTests", dependencies: ["VidiTensor", "VidiFormats", "VidiTestSupport"]),
        .testTarget(name: "VidiNNTests", dependencies: ["VidiNN", "VidiTensor", "VidiTestSupport"]),
        .testTarget(name: "VidiMediaTests", dependencies: ["VidiMedia", "VidiMediaTensors", "VidiRandom", "VidiTensor", "VidiTestSupport"]),
        .testTarget(name: "VidiPipelineTests", dependencies: ["VidiPipeline", "VidiMedia", "VidiTestSupport"]),
        .testTarget(name: "VidiSegmentationTests",
                    dependencies: ["VidiSegmentation", "VidiNN", "VidiTensor", "VidiMedia", "VidiRandom", "VidiTestSupport"]),
        .testTarget(name: "VidiCLITests", dependencies: ["vidi", "VidiTestSupport", "VidiTensor"]),
    ]
)
