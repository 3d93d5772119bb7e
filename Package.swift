// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Vidi",
    // Built and tested on Linux (Debian 12, Swift 6.1+), which SwiftPM does not list. macOS 15 is the
    // first release with the Synchronization module the engine uses; that build is untested.
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
        .library(name: "VidiRetrieval", targets: ["VidiRetrieval"]),
        .library(name: "VidiLocalization", targets: ["VidiLocalization"]),
        .library(name: "VidiSegmentation", targets: ["VidiSegmentation"]),
        .library(name: "VidiTraining", targets: ["VidiTraining"]),
        .library(name: "VidiPretext", targets: ["VidiPretext"]),
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
        // Vectorised float32 transcendentals (exp, tanh, erf, sigmoid, GELU) on SLEEF (Debian's libsleef-dev).
        .target(name: "CVectorMath", linkerSettings: [.linkedLibrary("sleef")]),
        .target(name: "VidiTensor", dependencies: ["COpenBLAS", "CVectorMath", "VidiFormats", "VidiRandom"]),
        .target(name: "VidiNN", dependencies: ["VidiTensor"]),
        // swscale's unscaled YUV -> RGB24 arithmetic in an AVX2 kernel (libavutil's CPU flags pick it).
        .target(name: "CYUVConvert", dependencies: ["CFFmpeg"]),
        .target(name: "VidiMedia", dependencies: ["CFFmpeg", "CYUVConvert", "VidiFormats", "VidiRandom"]),
        // Frames, motion vectors and motion maps as tensors: the bridge models use.
        .target(name: "VidiMediaTensors", dependencies: ["VidiMedia", "VidiTensor"]),
        .target(name: "VidiRetrieval", dependencies: ["COpenBLAS", "CZlib", "VidiNN", "VidiTensor", "VidiFormats", "VidiMedia", "VidiMediaTensors"],
                resources: [.copy("Resources")]),
        .target(name: "VidiLocalization", dependencies: ["VidiNN", "VidiTensor", "VidiFormats", "VidiRandom", "VidiMedia", "VidiMediaTensors"],
                exclude: ["RCL.md"], resources: [.copy("Resources")]),
        // Memory-bank video object segmentation (STCN / RDE / LCM), DAVIS I/O and measures.
        .target(name: "VidiSegmentation",
                dependencies: ["VidiNN", "VidiMedia", "VidiMediaTensors", "VidiTensor", "VidiRandom", "VidiFormats", "VidiTraining", "CZlib"],
                resources: [.copy("Resources")]),
        .target(name: "VidiPipeline", dependencies: ["VidiMedia", "VidiFormats", .product(name: "Yams", package: "Yams")]),
        // The shared training runtime: WebDataset reader, loop, schedules, checkpoints (no pipeline engine).
        .target(name: "VidiTraining", dependencies: ["VidiNN", "VidiTensor", "VidiMedia", "VidiFormats"]),

        // Self-supervised pretext tasks (MoSI, HiCo, CMD): sample generation and losses; knows no engine.
        .target(name: "VidiPretext", dependencies: ["VidiMedia", "VidiRandom", "VidiFormats", "VidiNN", "VidiTensor"]),

        // Stage adapters: model APIs wrapped as pipeline stages (the engine knows no model, models know
        // no engine).
        .target(name: "VidiModelStages", dependencies: ["VidiPipeline", "VidiNN", "VidiTensor", "VidiFormats", "VidiMedia", "VidiRetrieval", "VidiPretext", "VidiLocalization", "VidiSegmentation"]),

        // The CLI: thin, parses arguments and calls the libraries.
        .executableTarget(
            name: "vidi",
            dependencies: [
                "VidiMedia", "VidiTensor", "VidiPipeline", "VidiNN", "VidiModelStages", "VidiTraining", "VidiLocalization", "VidiRetrieval", "VidiSegmentation", "VidiPretext", "VidiFormats",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Test helpers shared by the test targets (fixture paths, tolerances, running ffprobe).
        .target(name: "VidiTestSupport", dependencies: ["VidiTensor"]),

        .testTarget(name: "VidiTensorTests", dependencies: ["VidiTensor", "VidiFormats", "VidiTestSupport"]),
        .testTarget(name: "VidiNNTests", dependencies: ["VidiNN", "VidiTensor", "VidiTestSupport"]),
        .testTarget(name: "VidiMediaTests", dependencies: ["CFFmpeg", "CYUVConvert", "VidiMedia", "VidiMediaTensors", "VidiRandom", "VidiTensor", "VidiTestSupport"]),
        .testTarget(name: "VidiPipelineTests", dependencies: ["VidiPipeline", "VidiMedia", "VidiFormats", "VidiRandom", "VidiTestSupport"]),
        .testTarget(name: "VidiModelStagesTests", dependencies: ["VidiModelStages", "VidiPipeline", "VidiNN", "VidiTensor", "VidiTestSupport", "VidiRetrieval", "VidiLocalization", "VidiSegmentation"]),
        .testTarget(name: "VidiLocalizationTests", dependencies: ["VidiLocalization", "VidiNN", "VidiTensor", "VidiFormats", "VidiRandom", "VidiMedia", "VidiMediaTensors", "VidiTestSupport"]),
        // VidiPipeline only to write shards with the pipeline's own writer (the library does not import it).
        .testTarget(name: "VidiTrainingTests", dependencies: ["VidiTraining", "VidiFormats", "VidiNN", "VidiTensor", "VidiMedia", "VidiPipeline", "VidiTestSupport"]),
        .testTarget(name: "VidiPretextTests", dependencies: ["VidiPretext", "VidiMedia", "VidiRandom", "VidiTensor", "VidiTestSupport"]),
        .testTarget(name: "VidiRetrievalTests", dependencies: ["VidiRetrieval", "VidiNN", "VidiTensor", "VidiFormats", "VidiRandom", "VidiMedia", "VidiTestSupport"]),
        .testTarget(name: "VidiSegmentationTests",
                    dependencies: ["VidiSegmentation", "VidiNN", "VidiTensor", "VidiMedia", "VidiRandom", "VidiTraining", "VidiTestSupport"]),
        .testTarget(name: "VidiCLITests", dependencies: ["vidi", "VidiTestSupport", "VidiTensor", "VidiRetrieval"]),
    ]
)
