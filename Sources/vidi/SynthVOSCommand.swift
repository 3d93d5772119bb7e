import ArgumentParser
import Foundation
import VidiMedia
import VidiSegmentation

/// `vidi synth vos`: synthetic video-object-segmentation sequences (H.264 MP4 + DAVIS-layout masks).
struct SynthVOSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vos",
        abstract: "Seeded synthetic VOS sequences: moving, scaling, occluding textured shapes and look-alikes.",
        discussion: """
            Writes OUT/videos/<seq>.mp4 (H.264), OUT/Annotations/480p/<seq>/00000.png ... (palette PNGs, value = \
            object id) and appends the names to OUT/ImageSets/2017/<set>.txt. Distractors copy a target's \
            shape and texture but stay background in the masks. The same --seed gives the same pixels.

            Examples:
              vidi synth vos --out synth --sequences 20 --set train --seed 1
              vidi synth vos --out synth --sequences 8 --set val --seed 2 --distractors 2
            """
    )

    @Option(name: .long, help: "Output folder.")
    var out: String

    @Option(name: .long, help: "Number of sequences.")
    var sequences = 4

    @Option(name: .long, help: "Frames per sequence.")
    var frames = 40

    @Option(name: .long, help: "Frame size WIDTHxHEIGHT.")
    var size = "480x272"

    @Option(name: .long, help: "Labelled objects per sequence: N or MIN-MAX.")
    var objects = "1-3"

    @Option(name: .long, help: "Unlabelled look-alike distractors per sequence.")
    var distractors = 0

    @Option(name: .long, help: "Seed.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Image-set list to append the sequences to (ImageSets/2017/<set>.txt).")
    var set = "val"

    @Option(name: .long, help: "Frames per second of the videos.")
    var fps = 24.0

    func options() throws -> SyntheticVOSOptions {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2 else { throw ValidationError("--size must be WIDTHxHEIGHT, got \(size)") }
        let bounds = objects.split(separator: "-").compactMap { Int($0) }
        guard (1...2).contains(bounds.count), bounds[0] <= bounds[bounds.count - 1] else {
            throw ValidationError("--objects must be N or MIN-MAX, got \(objects)")
        }
        return SyntheticVOSOptions(width: parts[0], height: parts[1], frames: frames,
                                   objects: bounds[0]...bounds[bounds.count - 1], distractors: distractors)
    }

    func run() throws {
        do {
            let writer = SyntheticVOSWriter(root: out, options: try options(), seed: seed,
                                            videoOptions: .init(fps: fps, crf: 18, preset: "veryfast"))
            let names = try writer.write(count: sequences, set: set)
            print("wrote \(names.count) sequences to \(out) (\(set))")
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("vidi: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
