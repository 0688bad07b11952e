using MLNet.Embeddings.Tokenization.Bpe;

namespace MLNet.Embeddings.Tests.Tokenization;

/// <summary>
/// Gemma-style SentencePiece BPE (Prepend + Replace normalizer, no pre-tokenizer, byte_fallback, "&lt;bos&gt; $A &lt;eos&gt;")
/// against Hugging Face tokenizers 0.22.2 on 603 texts (English, multilingual text that falls back to bytes, code,
/// emoji, whitespace). From tools/fixtures/make_gemma_tokenizer.js; tests in <see cref="HfParityTests{TTokenizer}"/>.
/// </summary>
public class GemmaBpeParityTests() : HfParityTests<SentencePieceBpeTokenizer>("gemmabpe", SentencePieceBpeTokenizer.FromTokenizerJson)
{
    /// <summary>&lt;bos&gt; (2) first, &lt;eos&gt; (1) last, &lt;pad&gt; 0.</summary>
    protected override (int First, int Last, int Pad) ExpectedEnds => (2, 1, 0);
}
