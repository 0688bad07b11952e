using MLNet.Embeddings.Tokenization.Bpe;

namespace MLNet.Embeddings.Tests.Tokenization;

/// <summary>
/// Qwen2-style byte-level BPE (NFC normalizer, regex Split pre-tokenizer, ByteLevel without its own regex,
/// <c>&lt;|endoftext|&gt;</c> appended by TemplateProcessing: the shape of Qwen3-Embedding's tokenizer.json) against
/// Hugging Face tokenizers 0.22.2 on 605 texts (English, multilingual, NFD input, code, emoji, whitespace).
/// Tokenizer and fixture from tools/fixtures/make_qwen3_tokenizer.js; tests in <see cref="HfParityTests{TTokenizer}"/>.
/// </summary>
public class Qwen2BpeParityTests() : HfParityTests<BpeTokenizer>("qwen2bpe", BpeTokenizer.FromTokenizerJson)
{
    /// <summary>"H" first, &lt;|endoftext|&gt; (956) appended last even when truncated; no pad token in tokenizer.json.</summary>
    protected override (int First, int Last, int Pad) ExpectedEnds => (187, 956, 0);
}
