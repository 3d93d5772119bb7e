import ArgumentParser
import Foundation
import VidiMedia
import VidiTensor

struct MotionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "motion",
        abstract: "Extract the codec's motion vectors (H.264, MPEG-4 Part 2, ...) without converting pixels.",
        discussion: """
            --dump DIR writes motion-vector-extractor's `--dump` layout, one entry per frame in display order
            (<i> is the display index zero-padded to 6 digits, mvs-000040.npy, so a listing sorts in display \
            order; --unpadded-names gives motion-vector-extractor's own mvs-40.npy):
              DIR/motion_vectors/mvs-<i>.npy   int32 (N, 10): source, w, h, src_x, src_y, dst_x, dst_y,
                                               motion_x, motion_y, motion_scale  (I-frames: shape (0, 10))
              DIR/frame_types.txt              I, P, B or ? per line
              DIR/timestamps.txt               presentation time in seconds per line
              DIR/frames/frame-<i>.jpg         with --frames only
            src = dst + motion / motion_scale; source is -1 (past reference) or +1 (future). Timestamps are \
            the frames' pts in seconds (motion-vector-extractor writes wall-clock time for files).

            --dense GRID --out DIR writes dense maps instead: DIR/motion-<i>.npy, float32 (H, W, 2) for \
            GRID 1, where every pixel of a past-referencing block holds its (dst - src) in pixels \
            (CoViAR/CMD style; 0 where there is no vector), or (H/GRID, W/GRID, 2) cell means for GRID > 1; \
            plus frame_types.txt and timestamps.txt. Maps are in stored (unrotated) coordinates.

            Examples:
              vidi motion clip.mp4 --dump mvs/
              vidi motion clip.mp4 --dump mvs/ --frames
              vidi motion clip.mp4 --dense 8 --out dense/
              vidi motion videos/*.mp4 --dump mvs/

            Several files write into one folder per file (mvs/<name>/motion_vectors/...). Decoding uses \
            no frame threading when vectors are exported (frame threading drops B-frame \
            vectors at random); --threads N adds slice threads, which never change the vectors.
            """
    )

    @Argument(help: "Video files.")
    var files: [String]

    @Option(name: .long, help: ArgumentHelp("Folder for motion-vector-extractor's dump layout.", valueName: "DIR"))
    var dump: String?

    @Flag(name: .long, help: "With --dump: also write every frame as frames/frame-<i>.jpg.")
    var frames = false

    @Option(name: .long, help: ArgumentHelp("Write dense motion maps with cells of GRID pixels (1 = per pixel).",
                                            valueName: "GRID"))
    var dense: Int?

    @Option(name: .long, help: ArgumentHelp("Output folder for --dense.", valueName: "DIR"))
    var out: String?

    @Option(name: .long, help: "Decoder threads (slice threading only), 0 = one per core.")
    var threads: Int = 1

    @OptionGroup var naming: FrameNamingOptions

    func validate() throws {
        if threads < 0 { throw ValidationError("--threads must be >= 0, got \(threads).") }
        switch (dump, dense) {
        case (nil, nil): throw ValidationError("Give --dump DIR, or --dense GRID with --out DIR.")
        case (.some, .some): throw ValidationError("--dump and --dense are separate outputs; give one of them.")
        case (nil, .some(let grid)):
            if grid <= 0 { throw ValidationError("--dense must be a positive cell size in pixels, got \(grid).") }
            if out == nil { throw ValidationError("--dense needs --out DIR.") }
            if frames { throw ValidationError("--frames goes with --dump.") }
        case (.some, nil):
            if out != nil { throw ValidationError("--out goes with --dense; --dump names its own folder.") }
        }
    }

    func run() throws {
        let folders = MediaCommand.outputFolders(for: files, in: dump ?? out ?? ".")
        try MediaCommand.forEachFile(files) { file, position in
            let reader = try VideoReader(path: file, options: ReaderOptions(threads: threads, exportMotionVectors: true))
            try write(reader, to: folders[position])
            MediaCommand.reportWarnings(of: reader)
        }
    }

    /// One pass over the video. Text files are written last, so a folder that has them is complete.
    private func write(_ reader: VideoReader, to folder: String) throws {
        let vectorFolder = (folder as NSString).appendingPathComponent("motion_vectors")
        let frameFolder = (folder as NSString).appendingPathComponent("frames")
        try MediaCommand.makeDirectory(dense == nil ? vectorFolder : folder, for: reader.path)
        if frames { try MediaCommand.makeDirectory(frameFolder, for: reader.path) }
        var types = "", timestamps = ""
        let progress = FileProgress(label: reader.path, total: reader.info.frameCount)
        defer { progress.finish() }
        var done = 0
        try reader.forEachFrame(frames ? FrameOutput() : nil, motion: true) { decoded in
            guard let motion = decoded.motion else {
                throw MediaError.corrupt(path: reader.path, reason: "frame \(decoded.index) came without motion data")
            }
            if let dense {
                let map = dense == 1 ? DenseMotion.perPixel(motion) : try DenseMotion.perGrid(motion, cell: dense)
                try MotionFiles.writeFloat(map.values, shape: map.shape,
                                           to: (folder as NSString).appendingPathComponent(naming.naming.name("motion", decoded.index, extension: "npy")))
            } else {
                try MotionFiles.writeVectors(motion.vectors, to: (vectorFolder as NSString)
                    .appendingPathComponent(naming.naming.name("mvs", decoded.index, extension: "npy")))
            }
            if let image = decoded.image {
                try FrameFiles.write(image, as: .jpeg(quality: 90), in: frameFolder, naming: naming.naming)
            }
            types += "\(decoded.pictureType.character)\n"
            timestamps += "\(decoded.timestamp)\n"
            done += 1
            progress.update(done)
        }
        try MediaCommand.writeText(types, to: (folder as NSString).appendingPathComponent("frame_types.txt"))
        try MediaCommand.writeText(timestamps, to: (folder as NSString).appendingPathComponent("timestamps.txt"))
    }
}

/// .npy files of motion data.
enum MotionFiles {
    /// int32 (N, 10) in motion-vector-extractor's column order.
    static func writeVectors(_ vectors: [MotionVector], to path: String) throws {
        var values = [Int32]()
        values.reserveCapacity(vectors.count * 10)
        for v in vectors {
            values.append(v.source); values.append(v.w); values.append(v.h)
            values.append(v.srcX); values.append(v.srcY); values.append(v.dstX); values.append(v.dstY)
            values.append(v.motionX); values.append(v.motionY); values.append(v.motionScale)
        }
        let bytes = values.withUnsafeBytes { Array($0) }
        try write(NPYFormat.Array(descr: "<i4", shape: [vectors.count, 10], data: bytes), to: path)
    }

    static func writeFloat(_ values: [Float], shape: [Int], to path: String) throws {
        let bytes = values.withUnsafeBytes { Array($0) }
        try write(NPYFormat.Array(descr: "<f4", shape: shape, data: bytes), to: path)
    }

    private static func write(_ array: NPYFormat.Array, to path: String) throws {
        do {
            try NPYFormat.write(array, to: path)
        } catch {
            throw MediaError.cannotOpen(path: path, reason: "cannot write: \(MediaCommand.reason(error))")
        }
    }
}
