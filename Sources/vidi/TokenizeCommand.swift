import ArgumentParser
import VidiRetrieval

/// `vidi tokenize TEXT...`: CLIP's BPE token ids.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "CLIP's byte-level BPE token ids of each text (as openai/CLIP's clip.tokenize, truncate=True).",
        discussion: """
            One line per text: ids from <|startoftext|> (49406) to <|endoftext|> (49407), without padding; \
            texts longer than --context-length are cut with the end token kept last. --json prints each line as \
            a JSON array. The vocabulary ships with vidi; --vocab or VIDI_CLIP_VOCAB points at another \
            bpe_simple_vocab_16e6.txt.gz.
            """)

    @Argument(help: "Texts to tokenize.")
    var texts: [String]
    @Flag(help: "One JSON array per text per line.")
    var json = false
    @Option(name: .customLong("context-length"), help: "Longest sequence, start and end tokens included.")
    var contextLength = 77
    @Option(help: "A bpe_simple_vocab_16e6.txt.gz to use instead of the bundled one.")
    var vocab: String?

    func run() throws {
        try RetrievalCommand.run("tokenize") {
            let tokenizer = try CLIPTokenizer(vocabularyPath: vocab)
            for text in texts {
                let ids = try tokenizer.tokenize(text, contextLength: contextLength)
                MediaCommand.printLine(json ? "[" + ids.map(String.init).joined(separator: ",") + "]"
                                            : ids.map(String.init).joined(separator: " "))
            }
        }
    }
}
