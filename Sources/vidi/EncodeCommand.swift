import ArgumentParser
import VidiRetrieval
import VidiTensor

/// `vidi encode`: CLIP embeddings of texts, images or a video's frames.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "CLIP embeddings (N x D float32 .npy) of texts, images or a video's sampled frames.",
        discussion: """
            Values are exactly what openai/CLIP's encode_text / encode_image return (projected, not \
            normalised). Images go through CLIP's preprocessing (Pillow-exact bicubic resize of the shorter \
            side, centre crop, CLIP's mean/std). --video samples frames at --fps (default 1) and keeps at most \
            --frames (default 12) spread evenly, as DRL does; one row per frame. W is a safetensors file in \
            OpenAI's CLIP layout (visual.*, token_embedding.weight, ...), with or without DRL's clip. prefix.

              vidi encode --weights clip.safetensors --text "a man is cooking" "a dog" --out T.npy
              vidi encode --weights clip.safetensors --image a.png b.jpg --out I.npy
              vidi encode --weights clip.safetensors --video clip.mp4 --frames 12 --out V.npy
            """)

    @Option(help: "CLIP weights (.safetensors); default: the bundled small model.")
    var weights: String?
    @Option(parsing: .upToNextOption, help: "Texts to encode.")
    var text: [String] = []
    @Option(parsing: .upToNextOption, help: "Image files to encode.")
    var image: [String] = []
    @Option(help: "A video whose sampled frames to encode.")
    var video: String?
    @Option(help: "Most frames sampled from --video.")
    var frames = 12
    @Option(help: "Frames per second sampled from --video.")
    var fps = 1.0
    @Option(help: "Output .npy (N x D float32).")
    var out: String

    func validate() throws {
        let sources = [!text.isEmpty, !image.isEmpty, video != nil].filter { $0 }.count
        guard sources == 1 else { throw ValidationError("give exactly one of --text, --image, --video") }
    }

    func run() throws {
        try RetrievalCommand.run("encode") {
            let encoder = try RetrievalModel(path: weights).encoder
            let features: Tensor
            if !text.isEmpty {
                features = try encoder.encodeTexts(text)
            } else {
                guard let resolution = encoder.resolution else { throw RetrievalError.checkpoint("the model has no image encoder") }
                let images = try video.map { try MediaInput.videoFrames(path: $0, resolution: resolution, maxFrames: frames, fps: fps).0 }
                    ?? Tensor.stack(image.map { try MediaInput.image(path: $0, resolution: resolution) }, axis: 0)
                features = try encoder.encodeImages(images)
            }
            try features.contiguous().writeNPY(to: out)
        }
    }
}
