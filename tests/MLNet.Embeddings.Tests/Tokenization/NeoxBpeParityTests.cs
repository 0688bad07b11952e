using MLNet.Embeddings.Tokenization.Bpe;

namespace MLNet.Embeddings.Tests.Tokenization;

/// <summary>
/// ModernBERT-style (GPT-NeoX / OLMo) byte-level BPE: NFC normalizer, ByteLevel pre-tokenizer without prefix space,
/// [MASK] with lstrip, TemplateProcessing "[CLS] $A [SEP]", against Hugging Face tokenizers 0.22.2 on 606 texts
/// (English, multilingual, NFD input, code, emoji, whitespace). From tools/fixtures/make_modernbert_tokenizer.js.
/// </summary>
public class NeoxBpeParityTests() : HfParityTests<BpeTokenizer>("neoxbpe", BpeTokenizer.FromTokenizerJson)
{
    /// <summary>[CLS] (957) first, [SEP] (958) last; no pad token in tokenizer.json's padding.</summary>
    protected override (int First, int Last, int Pad) ExpectedEnds => (957, 958, 0);
}
