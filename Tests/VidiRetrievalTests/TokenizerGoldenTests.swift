import Foundation
import Testing
import VidiRetrieval
import VidiTestSupport

/// Expected ids: OpenAI's `clip.tokenize(text, truncate=True)` (openai/CLIP `simple_tokenizer.py`, ftfy 6.3.1),
/// written by `Tools/goldens/make_tokenizer_goldens.py` into `Fixtures/golden/retrieval/tokenizer.json`.
struct TokenizerGoldenTests {
    struct Case: Decodable { let text: String; let ids: [Int32] }

    static let tokenizer: CLIPTokenizer? = try? CLIPTokenizer()

    @Test func bundledVocabularyLoads() throws {
        let tokenizer = try #require(Self.tokenizer)
        #expect(tokenizer.vocabularySize == 49408)
        #expect(try tokenizer.tokenize("a man is cooking") == [49406, 320, 786, 533, 6283, 49407])
    }

    @Test func matchesOpenAIOnEveryGoldenString() throws {
        let tokenizer = try #require(Self.tokenizer)
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("golden/retrieval/tokenizer.json")))
        let cases = try JSONDecoder().decode([Case].self, from: data)
        #expect(cases.count > 300)
        var failures: [String] = []
        for c in cases {
            let ids = try tokenizer.tokenize(c.text)
            if ids != c.ids { failures.append("\(c.text.debugDescription): \(ids) != \(c.ids)") }
        }
        #expect(failures.isEmpty, "\(failures.count) mismatches:\n\(failures.prefix(20).joined(separator: "\n"))")
    }

    @Test func truncationKeepsTheEndToken() throws {
        let tokenizer = try #require(Self.tokenizer)
        let ids = try tokenizer.tokenize(String(repeating: "word ", count: 200))
        #expect(ids.count == 77)
        #expect(ids.first == 49406 && ids.last == 49407)
        #expect(try tokenizer.tokenize("word", contextLength: 2) == [49406, 49407])
        #expect(throws: RetrievalError.self) { try tokenizer.tokenize("word", contextLength: 1) }
    }

    @Test func badVocabularyThrows() {
        #expect(throws: RetrievalError.self) { try CLIPTokenizer(vocabularyPath: "/nonexistent/vocab.txt.gz") }
        #expect(throws: RetrievalError.self) { try CLIPTokenizer(merges: "#version\na b\n", htmlEntities: "") }
    }
}
